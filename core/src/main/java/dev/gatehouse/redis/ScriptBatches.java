package dev.gatehouse.redis;

import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Opportunistic batching for {@link RedisTokenBucketStore}: the first decision for a key leads and makes the
 * script call; decisions for that key arriving meanwhile queue, and when the call returns the first of them leads
 * the whole queue in one call. A quiet key never waits; a hot key makes one call per round trip instead of one
 * per decision. A waiting decision is bounded by two command timeouts (the call in flight, then its own).
 *
 * <p>Written here because bucket4j's batching optimises its own compare-and-swap commands, not a script.
 */
final class ScriptBatches {
    private static final Object LEAD = new Object();

    private final RedisTokenBucketStore store;
    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();

    ScriptBatches(RedisTokenBucketStore store) {
        this.store = store;
    }

    /** The decisions queued for one key, while a call for it is on its way. */
    private static final class Queue {
        final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
        boolean busy;
        boolean retired;
    }

    private static final class Waiter {
        final List<Limit> limits;
        final long cost;
        final Thread thread = Thread.currentThread();
        volatile Object outcome;

        Waiter(List<Limit> limits, long cost) {
            this.limits = limits;
            this.cost = cost;
        }

        void complete(Object outcome) {
            this.outcome = outcome;
            if (thread != Thread.currentThread()) {
                LockSupport.unpark(thread);
            }
        }

        Object await() {
            boolean interrupted = false;
            Object result;
            while ((result = outcome) == null) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                thread.interrupt();
            }
            return result;
        }
    }

    Consumption tryConsume(String key, List<Limit> limits, long cost) {
        Waiter me = new Waiter(limits, cost);
        Queue queue = join(key, me);
        if (me.await() == LEAD) {
            lead(key, queue, me);
        }
        Object outcome = me.outcome;
        if (outcome instanceof RuntimeException failure) {
            throw failure;
        }
        if (outcome instanceof Error error) {
            throw error;
        }
        return (Consumption) outcome;
    }

    private Queue join(String key, Waiter me) {
        while (true) {
            Queue queue = queues.computeIfAbsent(key, k -> new Queue());
            synchronized (queue) {
                if (queue.retired) {
                    continue;
                }
                if (queue.busy) {
                    queue.waiting.add(me);
                } else {
                    queue.busy = true;
                    me.outcome = LEAD;
                }
                return queue;
            }
        }
    }

    private void lead(String key, Queue queue, Waiter me) {
        List<Waiter> batch = new ArrayList<>();
        batch.add(me);
        synchronized (queue) {
            batch.addAll(queue.waiting);
            queue.waiting.clear();
        }
        run(key, batch);
        Waiter next;
        synchronized (queue) {
            next = queue.waiting.poll();
            if (next == null) {
                queue.busy = false;
                queue.retired = true;
                queues.remove(key, queue);
            }
        }
        if (next != null) {
            next.complete(LEAD);
        }
    }

    /** One call for the decisions with the leader's limits (a key's limits only change on reconfiguration). */
    private void run(String key, List<Waiter> batch) {
        List<Limit> limits = batch.get(0).limits;
        List<Waiter> together = new ArrayList<>(batch.size());
        for (Waiter waiter : batch) {
            if (waiter.limits.equals(limits)) {
                together.add(waiter);
            } else {
                call(key, waiter.limits, List.of(waiter));
            }
        }
        call(key, limits, together);
    }

    private void call(String key, List<Limit> limits, List<Waiter> waiters) {
        long[] costs = new long[waiters.size()];
        for (int i = 0; i < costs.length; i++) {
            costs[i] = waiters.get(i).cost;
        }
        Consumption[] decisions;
        try {
            decisions = store.run(key, limits, costs);
        } catch (RuntimeException | Error failure) {
            // Every waiter of the call hears of it: none may wait for an answer that will not come.
            for (Waiter waiter : waiters) {
                waiter.complete(failure);
            }
            return;
        }
        for (int i = 0; i < costs.length; i++) {
            waiters.get(i).complete(decisions[i]);
        }
    }
}
