package dev.gatehouse.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Request collapsing: the first miss for a key leads and goes to the service; later misses for that key wait,
 * for a bounded time, until the leader's response is stored or its exchange ends, then look again. A lead is a
 * future the leader completes: followers wait on it with a thread ({@link #awaitLeader}), or without one ({@link
 * #leader}, for non-blocking hosts).
 */
final class InFlight {
    private final ConcurrentHashMap<String, CompletableFuture<Void>> leaders = new ConcurrentHashMap<>();

    /** A lead to {@link #release} when this caller leads for {@code key}; null when another one leads. */
    @Nullable
    CompletableFuture<Void> tryLead(String key) {
        CompletableFuture<Void> lead = new CompletableFuture<>();
        return leaders.putIfAbsent(key, lead) == null ? lead : null;
    }

    /** Whether nobody leads for any key: the common case, answered without computing a key. */
    boolean isEmpty() {
        return leaders.isEmpty();
    }

    /** The current lead over {@code key}, or null. */
    @Nullable
    CompletableFuture<Void> leader(String key) {
        return leaders.get(key);
    }

    /** Waits for the current leader of {@code key}, at most {@code timeout}; true when it finished in time. */
    boolean awaitLeader(String key, Duration timeout) {
        CompletableFuture<Void> leader = leaders.get(key);
        if (leader == null) {
            return true;
        }
        try {
            leader.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        }
    }

    /** Ends {@code lead} over {@code key} and wakes its followers; harmless when called again. */
    void release(String key, CompletableFuture<Void> lead) {
        leaders.remove(key, lead);
        lead.complete(null);
    }
}
