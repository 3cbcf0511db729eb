package dev.gatehouse.cache;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Request collapsing: the first miss for a key leads and goes to the service; later misses for that key wait,
 * for a bounded time, until the leader's response is stored or its exchange ends, then look again.
 */
final class InFlight {
    private final ConcurrentHashMap<String, CountDownLatch> leaders = new ConcurrentHashMap<>();

    /** A latch to {@link #release} when this caller leads for {@code key}; null when another one leads. */
    CountDownLatch tryLead(String key) {
        CountDownLatch latch = new CountDownLatch(1);
        return leaders.putIfAbsent(key, latch) == null ? latch : null;
    }

    /** Waits for the current leader of {@code key}, at most {@code timeout}; true when it finished in time. */
    boolean awaitLeader(String key, Duration timeout) {
        CountDownLatch leader = leaders.get(key);
        if (leader == null) {
            return true;
        }
        try {
            return leader.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ends the lead of {@code latch} over {@code key} and wakes its followers; harmless when called again. */
    void release(String key, CountDownLatch latch) {
        leaders.remove(key, latch);
        latch.countDown();
    }
}
