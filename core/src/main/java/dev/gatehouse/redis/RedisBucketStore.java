package dev.gatehouse.redis;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.internal.Bucket4jBuckets;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Throwables;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.RemoteBucketBuilder;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Rate-limit buckets in Redis, through bucket4j's Lettuce integration, so that every gateway instance draws
 * from one budget: two instances never admit more than the quota together (bucket4j updates a bucket with
 * compare-and-swap).
 *
 * <ul>
 *   <li>Keys are {@code keyPrefix} + the SHA-256 of the bucket key, never raw client input, and expire once
 *       their bucket would be full again.
 *   <li>Every command is bounded by {@code commandTimeout} (100 ms by default), and commands fail at once
 *       while the connection is down, so a dead Redis costs at most one timeout; failures surface as {@link
 *       StoreUnavailableException} for the failure mode of the {@code ResilientBucketStore} around it. Lettuce
 *       reconnects by itself.
 *   <li>{@link Builder#batching()} turns on bucket4j's batching: concurrent requests for one hot key in this
 *       instance share a round trip.
 *   <li>{@link #tryConsumeAsync} is the non-blocking path for reactive hosts.
 * </ul>
 */
public final class RedisBucketStore implements BucketStore, AutoCloseable {
    private final RedisConnection redis;
    private final ProxyManager<byte[]> buckets;
    private final boolean batching;
    private final String keyPrefix;
    private final Cache<String, BucketProxy> proxies;
    private final Cache<String, AsyncBucketProxy> asyncProxies;

    private RedisBucketStore(Builder builder) {
        this.redis = RedisConnection.open(builder.url, builder.commandTimeout);
        var proxies = bucket4j(redis.connection())
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .requestTimeout(builder.commandTimeout);
        if (builder.clock != null) {
            proxies.clientClock(wallClock(builder.clock));
        }
        this.buckets = proxies.build();
        this.batching = builder.batching;
        this.keyPrefix = builder.keyPrefix;
        this.proxies = Caffeine.newBuilder()
                .maximumSize(builder.maxCachedProxies)
                .expireAfterAccess(Duration.ofMinutes(10))
                .executor(Runnable::run)
                .build();
        this.asyncProxies = Caffeine.newBuilder()
                .maximumSize(builder.maxCachedProxies)
                .expireAfterAccess(Duration.ofMinutes(10))
                .executor(Runnable::run)
                .build();
    }

    /**
     * Connects to {@code url} ({@code redis://host:port}); the connection is established now, and re-established
     * by Lettuce after any later outage.
     *
     * @throws IllegalStateException when Redis cannot be reached at start-up
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    @Override
    public Consumption tryConsume(String key, List<Limit> limits, long cost) {
        BucketProxy bucket =
                proxies.get(key, k -> remote().build(redisKey(k), () -> Bucket4jBuckets.configuration(limits)));
        try {
            VerboseResult<ConsumptionProbe> result = bucket.asVerbose().tryConsumeAndReturnRemaining(cost);
            return Bucket4jBuckets.consumption(result);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("Redis: " + Throwables.rootMessage(e), e);
        }
    }

    /** The non-blocking form of {@link #tryConsume}; failures complete the future with {@link StoreUnavailableException}. */
    public CompletableFuture<Consumption> tryConsumeAsync(String key, List<Limit> limits, long cost) {
        AsyncBucketProxy bucket = asyncProxies.get(
                key,
                k -> buckets.asAsync()
                        .builder()
                        .build(
                                redisKey(k),
                                () -> CompletableFuture.completedFuture(Bucket4jBuckets.configuration(limits))));
        return bucket.asVerbose().tryConsumeAndReturnRemaining(cost).handle((result, failure) -> {
            if (failure != null) {
                throw new StoreUnavailableException("Redis: " + Throwables.rootMessage(failure), failure);
            }
            return Bucket4jBuckets.consumption(result);
        });
    }

    /** bucket4j's compare-and-swap proxy manager over a standalone or cluster connection. */
    @SuppressWarnings("unchecked")
    private static Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]> bucket4j(
            StatefulConnection<byte[], byte[]> connection) {
        if (connection instanceof StatefulRedisClusterConnection<?, ?> cluster) {
            return Bucket4jLettuce.casBasedBuilder((StatefulRedisClusterConnection<byte[], byte[]>) cluster);
        }
        return Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<byte[], byte[]>) connection);
    }

    private static TimeMeter wallClock(InstantSource clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    private RemoteBucketBuilder<byte[]> remote() {
        RemoteBucketBuilder<byte[]> builder = buckets.builder();
        return batching ? builder.withOptimization(Optimizations.batching()) : builder;
    }

    private byte[] redisKey(String key) {
        return (keyPrefix + Digests.sha256Hex(key)).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        redis.close();
    }

    public static final class Builder {
        private final String url;
        private Duration commandTimeout = Duration.ofMillis(100);
        private boolean batching;
        private String keyPrefix = "gatehouse:rl:";
        private long maxCachedProxies = 100_000;
        private @Nullable InstantSource clock;

        private Builder(String url) {
            this.url = RedisConnection.checkUrl(url);
        }

        /** The bound on each Redis command; 100 ms by default. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = RedisConnection.checkTimeout(commandTimeout);
            return this;
        }

        /** Lets concurrent requests for one key in this instance share Redis round trips (bucket4j batching). */
        public Builder batching() {
            this.batching = true;
            return this;
        }

        /**
         * The wall clock buckets refill by (the system clock by default; any {@link java.time.Clock} will do).
         * Buckets live in Redis and each instance reads its own clock, so instances must agree on time: a skewed
         * instance can only refill early by its skew × rate. A wall clock, not a monotonic one, because the
         * readings of different hosts are compared.
         */
        public Builder clock(InstantSource clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        public RedisBucketStore build() {
            return new RedisBucketStore(this);
        }
    }
}
