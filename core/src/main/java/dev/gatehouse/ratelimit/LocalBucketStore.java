package dev.gatehouse.ratelimit;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Buckets in this process: lock-free bucket4j buckets in a bounded Caffeine cache (at most {@code maxKeys},
 * dropped after {@code idleTimeout} unused — an idle bucket has refilled by then, so dropping it loses nothing
 * when the timeout is at least the longest window). With N gateway instances each has its own buckets: a
 * client gets up to N × the quota; use the Redis store to share one budget.
 */
public final class LocalBucketStore implements BucketStore {
    private final Cache<String, Bucket> buckets;
    private final @Nullable TimeMeter clock;
    private final SynchronizationStrategy synchronization;
    private final Map<List<Limit>, Bandwidth[]> bandwidths = new ConcurrentHashMap<>();

    private LocalBucketStore(Builder builder) {
        this.buckets = Caffeine.newBuilder()
                .maximumSize(builder.maxKeys)
                .expireAfterAccess(builder.idleTimeout)
                .build();
        this.clock = builder.nanoClock == null ? null : monotonic(builder.nanoClock);
        this.synchronization = builder.synchronization == Synchronization.SYNCHRONIZED
                ? SynchronizationStrategy.SYNCHRONIZED
                : SynchronizationStrategy.LOCK_FREE;
    }

    /** How buckets stay consistent when threads race for one key. */
    public enum Synchronization {
        /** Compare-and-swap, no lock (the default). */
        LOCK_FREE,
        /** A monitor per bucket: less memory per key, slower under contention. */
        SYNCHRONIZED
    }

    private static TimeMeter monotonic(LongSupplier nanoClock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoClock.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
    }

    public static LocalBucketStore ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Consumption tryConsume(String key, List<Limit> limits, long cost) {
        Bucket bucket = buckets.get(key, k -> newBucket(limits));
        if (limits.size() == 1) {
            // One window: the plain probe has everything, without the verbose result's snapshot.
            ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
            return new Consumption(
                    probe.isConsumed(), new long[] {probe.getRemainingTokens()}, probe.getNanosToWaitForRefill());
        }
        VerboseResult<ConsumptionProbe> result = bucket.asVerbose().tryConsumeAndReturnRemaining(cost);
        ConsumptionProbe probe = result.getValue();
        return new Consumption(
                probe.isConsumed(),
                result.getDiagnostics().getAvailableTokensPerEachBandwidth(),
                probe.getNanosToWaitForRefill());
    }

    private static Bandwidth[] toBandwidths(List<Limit> limits) {
        return limits.stream().map(Limit::toBandwidth).toArray(Bandwidth[]::new);
    }

    /** How many keys hold a bucket now. */
    public long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private Bucket newBucket(List<Limit> limits) {
        LocalBucketBuilder builder = Bucket.builder().withSynchronizationStrategy(synchronization);
        // Bandwidths are immutable: one set per list of limits serves every bucket.
        for (Bandwidth bandwidth : bandwidths.computeIfAbsent(limits, LocalBucketStore::toBandwidths)) {
            builder.addLimit(bandwidth);
        }
        if (clock != null) {
            builder.withCustomTimePrecision(clock);
        } else {
            builder.withNanosecondPrecision();
        }
        return builder.build();
    }

    public static final class Builder {
        private long maxKeys = 1_000_000;
        private Duration idleTimeout = Duration.ofHours(1);
        private @Nullable LongSupplier nanoClock;
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
