package dev.gatehouse.ratelimit;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.MathType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Buckets in this process: bucket4j's bucket state per key in a bounded Caffeine cache (at most {@code maxKeys},
 * dropped after {@code idleTimeout} unused — an idle bucket has refilled by then, so dropping it loses nothing
 * when the timeout is at least the longest window). With N gateway instances each has its own buckets: a
 * client gets up to N × the quota; use the Redis store to share one budget.
 *
 * <p>A key holds only bucket4j's {@link BucketState} (one {@code long[]} of three longs per window) — not a
 * whole {@code Bucket}, whose per-key configuration, time meter and listener would double the heap per key —
 * and the refill arithmetic stays bucket4j's. The cache does its upkeep on the calling thread: handing it to the
 * common pool wakes a pool thread every few reads, which cost more than the upkeep itself.
 */
public final class LocalBucketStore implements BucketStore {
    private final Cache<String, Object> buckets;
    private final LongSupplier clock;
    private final boolean lockFree;
    private final Map<List<Limit>, BucketConfiguration> configurations = new ConcurrentHashMap<>();

    private LocalBucketStore(Builder builder) {
        this.buckets = Caffeine.newBuilder()
                .maximumSize(builder.maxKeys)
                .expireAfterAccess(builder.idleTimeout)
                .executor(Runnable::run)
                .build();
        this.clock = builder.nanoClock;
        this.lockFree = builder.synchronization == Synchronization.LOCK_FREE;
    }

    /** How buckets stay consistent when threads race for one key. */
    public enum Synchronization {
        /** Compare-and-swap of a copied state, no lock (the default). */
        LOCK_FREE,
        /** A monitor per bucket: less memory per key, slower under contention. */
        SYNCHRONIZED
    }

    public static LocalBucketStore ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Consumption tryConsume(String key, List<Limit> limits, long cost) {
        long now = clock.getAsLong();
        Object bucket = buckets.getIfPresent(key);
        if (bucket == null) {
            bucket = buckets.get(key, k -> newBucket(limits, now));
        }
        if (bucket instanceof BucketState state) {
            synchronized (state) {
                return consume(state, cost, now);
            }
        }
        @SuppressWarnings("unchecked")
        AtomicReference<BucketState> cell = (AtomicReference<BucketState>) bucket;
        while (true) {
            BucketState current = cell.get();
            BucketState next = current.copy();
            Consumption consumption = consume(next, cost, now);
            // A refusal changes nothing worth keeping: the refill is recomputed from the same start next time.
            if (!consumption.consumed() || cell.compareAndSet(current, next)) {
                return consumption;
            }
        }
    }

    /** What bucket4j's own buckets do for one probe, on a state the caller owns. */
    private static Consumption consume(BucketState state, long cost, long now) {
        state.refillAllBandwidth(now);
        boolean consumed = cost <= state.getAvailableTokens();
        long wait = 0;
        if (consumed) {
            state.consume(cost);
        } else {
            wait = state.calculateDelayNanosAfterWillBePossibleToConsume(cost, now, true);
        }
        long[] remaining = new long[state.getConfiguration().getBandwidths().length];
        for (int i = 0; i < remaining.length; i++) {
            remaining[i] = state.getCurrentSize(i);
        }
        return new Consumption(consumed, remaining, wait);
    }

    /** How many keys hold a bucket now. */
    public long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private Object newBucket(List<Limit> limits, long now) {
        // Configurations are immutable: one per list of limits serves every bucket.
        BucketConfiguration configuration = configurations.computeIfAbsent(limits, LocalBucketStore::configuration);
        BucketState state = BucketState.createInitialState(configuration, MathType.INTEGER_64_BITS, now);
        return lockFree ? new AtomicReference<>(state) : state;
    }

    private static BucketConfiguration configuration(List<Limit> limits) {
        ConfigurationBuilder builder = BucketConfiguration.builder();
        for (Limit limit : limits) {
            builder.addLimit(limit.toBandwidth());
        }
        return builder.build();
    }

    public static final class Builder {
        private long maxKeys = 1_000_000;
        private Duration idleTimeout = Duration.ofHours(1);
        private LongSupplier nanoClock = System::nanoTime;
        private Synchronization synchronization = Synchronization.LOCK_FREE;

        private Builder() {}

        /**
         * How buckets stay consistent under concurrency: {@code LOCK_FREE} (the default, compare-and-swap) or
         * {@code SYNCHRONIZED} (a monitor; less memory per key).
         */
        public Builder synchronization(Synchronization synchronization) {
            this.synchronization = requireNonNull(synchronization, "synchronization");
            return this;
        }

        /** At most this many buckets; the least recently used go first. 10⁶ by default. */
        public Builder maxKeys(long maxKeys) {
            checkArgument(maxKeys > 0, "maxKeys: %s (expected: > 0)", maxKeys);
            this.maxKeys = maxKeys;
            return this;
        }

        /** Buckets unused this long are dropped; keep it at least the longest window. 1 hour by default. */
        public Builder idleTimeout(Duration idleTimeout) {
            checkArgument(
                    !idleTimeout.isNegative() && !idleTimeout.isZero(), "idleTimeout: %s (expected: > 0)", idleTimeout);
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * The monotonic clock buckets refill by, in nanoseconds ({@code System::nanoTime} by default; a test
         * injects its own to refill without sleeping). Only differences between readings matter.
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        public LocalBucketStore build() {
            return new LocalBucketStore(this);
        }
    }
}
