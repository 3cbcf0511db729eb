package dev.gatehouse.metrics;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ChainListener;
import dev.gatehouse.Completion;
import dev.gatehouse.Exchange;
import dev.gatehouse.Route;
import dev.gatehouse.StoreHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Micrometer meters for a policy chain ({@code PolicyChain.builder().listener(new MicrometerChainListener(registry))}):
 *
 * <ul>
 *   <li>{@code gatehouse.policy.decisions} — counter, tags {@code policy}, {@code outcome} (proceed, reject,
 *       replay);
 *   <li>{@code gatehouse.policy.duration} — timer of each policy's {@code onRequest}, tag {@code policy};
 *   <li>{@code gatehouse.exchanges} — timer of whole exchanges, tags {@code route} (the matched pattern, or
 *       {@code none}), {@code status} (the status class: 2xx, 4xx, …) and {@code outcome} (success or failure);
 *   <li>with {@link #bindStoreHealth} (a policy's {@code storeHealth()}): {@code gatehouse.ratelimit.store.down}
 *       (gauge, 1 while the store is down), {@code gatehouse.ratelimit.store.failures} and {@code
 *       gatehouse.ratelimit.failed.open} (counters); for idempotency the same under {@code
 *       gatehouse.idempotency}.
 * </ul>
 *
 * Meters are created once per tag set and cached, so recording costs a map lookup and the meter's own update.
 */
public final class MicrometerChainListener implements ChainListener {
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final ConcurrentMap<String, PolicyMeters> policies = new ConcurrentHashMap<>();
    /** Per route, the exchange timers by status class and outcome: index {@code (class - 1) * 2 + failed}. */
    private final ConcurrentMap<String, AtomicReferenceArray<Timer>> exchanges = new ConcurrentHashMap<>();

    /** One policy's timer and its counter per outcome; looked up by the chain's own name strings. */
    private final class PolicyMeters {
        final String policy;
        final Timer duration;
        final ConcurrentMap<String, Counter> decisions = new ConcurrentHashMap<>();

        PolicyMeters(String policy) {
            this.policy = policy;
            this.duration = Timer.builder("gatehouse.policy.duration")
                    .description("Time each policy spends deciding a request")
                    .tag("policy", policy)
                    .register(registry);
        }

        Counter decisions(String outcome) {
            Counter counter = decisions.get(outcome);
            return counter != null
                    ? counter
                    : decisions.computeIfAbsent(
                            outcome,
                            key -> Counter.builder("gatehouse.policy.decisions")
                                    .description("Decisions of each policy, by outcome")
                                    .tag("policy", policy)
                                    .tag("outcome", outcome)
                                    .register(registry));
        }
    }

    public MicrometerChainListener(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public void onDecision(Exchange exchange, String policy, String outcome, long nanos) {
        PolicyMeters meters = policies.get(policy);
        if (meters == null) {
            meters = policies.computeIfAbsent(policy, PolicyMeters::new);
        }
        meters.decisions(outcome).increment();
        meters.duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onComplete(Exchange exchange, Completion completion) {
        String route = exchange.attribute(Route.KEY).map(Route::pattern).orElse("none");
        int statusClass = Math.max(1, Math.min(5, completion.status() / 100));
        boolean failed = completion.failure().isPresent();
        AtomicReferenceArray<Timer> timers = exchanges.get(route);
        if (timers == null) {
            timers = exchanges.computeIfAbsent(route, r -> new AtomicReferenceArray<>(STATUS_CLASSES.length * 2));
        }
        int index = (statusClass - 1) * 2 + (failed ? 1 : 0);
        Timer timer = timers.get(index);
        if (timer == null) {
            // Registering twice returns the same meter: a race here costs a lookup, never a second timer.
            timer = Timer.builder("gatehouse.exchanges")
                    .description("Whole exchanges through the chain")
                    .tag("route", route)
                    .tag("status", STATUS_CLASSES[statusClass - 1])
                    .tag("outcome", failed ? "failure" : "success")
                    .register(registry);
            timers.set(index, timer);
        }
        timer.record(completion.elapsed().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Meters of a store's health, tagged {@code policy=name}: the gauge {@code gatehouse.<feature>.store.down}
     * (1 while the store is down) and the counters {@code gatehouse.<feature>.store.failures} and {@code
     * gatehouse.<feature>.failed.open} (requests let through without the store), where {@code <feature>} is
     * {@link StoreHealth#feature()}. A policy with a store gives its health: {@code policy.storeHealth()}.
     */
    public MicrometerChainListener bindStoreHealth(String name, StoreHealth health) {
        requireNonNull(name, "name");
        requireNonNull(health, "health");
        String prefix = "gatehouse." + health.feature();
        String store = health.feature();
        Gauge.builder(prefix + ".store.down", health, h -> h.down() ? 1 : 0)
                .description("1 while the " + store + " store is considered down")
                .tag("policy", name)
                .register(registry);
        FunctionCounter.builder(prefix + ".store.failures", health, StoreHealth::failures)
                .description("Failed calls to the " + store + " store")
                .tag("policy", name)
                .register(registry);
        FunctionCounter.builder(prefix + ".failed.open", health, StoreHealth::admittedWithoutStore)
                .description("Requests admitted without the " + store + " store while it was down")
                .tag("policy", name)
                .register(registry);
        return this;
    }
}
