package dev.gatehouse.ratelimit;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.StoreHealth;
import dev.gatehouse.internal.StoreBreaker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bucket store that survives its store: the breaker and the {@link StoreFailureMode} in one place, around any
 * {@link BucketStore} (Redis, typically).
 *
 * <ul>
 *   <li>After a failure the store is left alone for {@code breakerWindow} (5 s by default), so a dead store
 *       costs one timeout per window, not one per request; the first call after the window probes it, and the
 *       store is used again as soon as it answers, without restart.
 *   <li>Meanwhile each request gets the failure mode's answer: admitted unlimited ({@link StoreFailureMode#OPEN},
 *       the default), refused ({@link StoreFailureMode#CLOSED}), or counted in a bucket of this instance
 *       ({@link StoreFailureMode#LOCAL_FALLBACK}).
 *   <li>It is the store's {@link StoreHealth}: down or not, failures, requests admitted without it.
 * </ul>
 *
 * <p>{@code RateLimitPolicy} wraps a plain store in one with the defaults; build one yourself to choose:
 *
 * <pre>{@code
 * RateLimitPolicy.builder()
 *         .limits(Limit.perMinute(600))
 *         .store(ResilientBucketStore.builder(redis).onFailure(StoreFailureMode.CLOSED).build())
 *         .build();
 * }</pre>
 */
public final class ResilientBucketStore implements BucketStore, StoreHealth {
    private static final Logger LOG = LoggerFactory.getLogger(ResilientBucketStore.class);

    private final BucketStore store;
    private final StoreFailureMode mode;
    private final @Nullable LocalBucketStore fallback;
    private final StoreBreaker breaker;
    private final AtomicLong admittedWithoutStore = new AtomicLong();

    /** What {@link #guardedConsume} found: the store's answer, or the failure mode's. */
    public sealed interface Answer {
        /** The store counted the request. */
        record Counted(Consumption consumption) implements Answer {}

        /** The store is down ({@code cause}); the local fallback bucket counted the request. */
        record CountedLocally(Consumption consumption, String cause) implements Answer {}

        /** The store is down ({@code cause}); the request is admitted unlimited. */
        record AdmittedWithoutStore(String cause) implements Answer {}

        /** The store is down ({@code cause}); the request is refused, to retry after {@code retryAfterSeconds}. */
        record Refused(String cause, long retryAfterSeconds) implements Answer {}
    }

    private ResilientBucketStore(Builder builder) {
        this.store = builder.store;
        this.mode = builder.mode;
        this.fallback = mode == StoreFailureMode.LOCAL_FALLBACK ? LocalBucketStore.ofDefaults() : null;
        this.breaker = StoreBreaker.of(builder.breakerWindow, builder.nanoClock);
    }

    /** {@code store} with the defaults: fail open, a 5 s breaker window. */
    public static ResilientBucketStore of(BucketStore store) {
        return builder(store).build();
    }

    public static Builder builder(BucketStore store) {
        return new Builder(store);
    }

    /** Takes {@code cost} tokens as {@link BucketStore#tryConsume} does, or gives the failure mode's answer. */
    public Answer guardedConsume(String key, List<Limit> limits, long cost) {
        try {
            return new Answer.Counted(consumeThroughBreaker(key, limits, cost));
        } catch (StoreUnavailableException e) {
            String cause = e.getMessage();
            return switch (mode) {
                case OPEN -> {
                    admittedWithoutStore.incrementAndGet();
                    yield new Answer.AdmittedWithoutStore(cause);
                }
                case CLOSED ->
                    new Answer.Refused(cause, Math.max(1, breaker.window().toSeconds()));
                case LOCAL_FALLBACK -> new Answer.CountedLocally(fallback().tryConsume(key, limits, cost), cause);
            };
        }
    }

    /**
     * As a plain {@link BucketStore}: the store's consumption, or the local fallback's while the store is down.
     *
     * @throws StoreUnavailableException while the store is down, unless the mode is {@code LOCAL_FALLBACK}
     */
    @Override
    public Consumption tryConsume(String key, List<Limit> limits, long cost) {
        try {
            return consumeThroughBreaker(key, limits, cost);
        } catch (StoreUnavailableException e) {
            if (mode == StoreFailureMode.LOCAL_FALLBACK) {
                return fallback().tryConsume(key, limits, cost);
            }
            throw e;
        }
    }

    private Consumption consumeThroughBreaker(String key, List<Limit> limits, long cost) {
        if (!breaker.permits()) {
            throw new StoreUnavailableException("store breaker open", null);
        }
        try {
            Consumption consumption = store.tryConsume(key, limits, cost);
            if (breaker.succeeded()) {
                LOG.warn("rate-limit store is back; limiting with it again");
            }
            return consumption;
        } catch (StoreUnavailableException e) {
            if (breaker.failed()) {
                LOG.warn(
                        "rate-limit store failed ({}); {} until a call succeeds again (one probe every {} ms)",
                        e.getMessage(),
                        mode,
                        breaker.window().toMillis());
            }
            throw e;
        }
    }

    private LocalBucketStore fallback() {
        return requireNonNull(fallback, "fallback");
    }

    /** The failure mode. */
    public StoreFailureMode mode() {
        return mode;
    }

    @Override
    public String feature() {
        return "ratelimit";
    }

    @Override
    public boolean down() {
        return breaker.down();
    }

    @Override
    public long failures() {
        return breaker.failures();
    }

    @Override
    public long admittedWithoutStore() {
        return admittedWithoutStore.get();
    }

    @Override
    public String toString() {
        return "ResilientBucketStore[" + store + ", " + mode + ", " + breaker + "]";
    }

    public static final class Builder {
        private final BucketStore store;
        private StoreFailureMode mode = StoreFailureMode.OPEN;
        private Duration breakerWindow = Duration.ofSeconds(5);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder(BucketStore store) {
            requireNonNull(store, "store");
            checkArgument(
                    !(store instanceof ResilientBucketStore),
                    "store: %s (expected: a plain store; this one is already resilient)",
                    store);
            this.store = store;
        }

        /** What requests get while the store is down; {@link StoreFailureMode#OPEN} by default. */
        public Builder onFailure(StoreFailureMode mode) {
            this.mode = requireNonNull(mode, "mode");
            return this;
        }

        /** How long the store is left alone after it failed; 5 s by default. */
        public Builder breakerWindow(Duration window) {
            requireNonNull(window, "window");
            checkArgument(!window.isNegative() && !window.isZero(), "breakerWindow: %s (expected: > 0)", window);
            this.breakerWindow = window;
            return this;
        }

        /** The breaker's clock, {@code System.nanoTime} unless a test injects its own. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        public ResilientBucketStore build() {
            return new ResilientBucketStore(this);
        }
    }
}
