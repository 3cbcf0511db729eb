package dev.gatehouse.metrics;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ChainListener;
import dev.gatehouse.Completion;
import dev.gatehouse.Exchange;
import dev.gatehouse.Route;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.ratelimit.RateLimitPolicy;
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
 *   <li>with {@link #bindStoreHealth}: {@code gatehouse.ratelimit.store.down} (gauge, 1 while the store is
 *       down), {@code gatehouse.ratelimit.store.failures} and {@code gatehouse.ratelimit.failed.open} (counters);
 *       for idempotency {@code gatehouse.idempotency.store.down} and {@code gatehouse.idempotency.store.failures}.
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

    /** Store-health meters of a rate-limit policy, tagged {@code policy=name}. */
    public MicrometerChainListener bindStoreHealth(String name, RateLimitPolicy policy) {
        Gauge.builder("gatehouse.ratelimit.store.down", policy, p -> p.storeDown() ? 1 : 0)
                .description("1 while the rate-limit store is considered down")
                .tag("policy", name)
                .register(registry);
        FunctionCounter.builder("gatehouse.ratelimit.store.failures", policy, RateLimitPolicy::storeFailures)
                .description("Rate-limit store failures")
                .tag("policy", name)
                .register(registry);
        FunctionCounter.builder("gatehouse.ratelimit.failed.open", policy, RateLimitPolicy::failedOpen)
                .description("Requests admitted unlimited while the store was down")
                .tag("policy", name)
                .register(registry);
        return this;
    }

    /** Store-health meters of an idempotency policy, tagged {@code policy=name}. */
    public MicrometerChainListener bindStoreHealth(String name, IdempotencyPolicy policy) {
        Gauge.builder("gatehouse.idempotency.store.down", policy, p -> p.storeDown() ? 1 : 0)
                .description("1 while the idempotency store is considered down")
                .tag("policy", name)
                .register(registry);
        FunctionCounter.builder("gatehouse.idempotency.store.failures", policy, IdempotencyPolicy::storeFailures)
                .description("Idempotency store failures")
                .tag("policy", name)
                .register(registry);
        return this;
    }
}
