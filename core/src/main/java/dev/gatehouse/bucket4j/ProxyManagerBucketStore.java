package dev.gatehouse.bucket4j;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.internal.Bucket4jBuckets;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Throwables;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import java.util.List;

/**
 * Rate-limit buckets in any backend bucket4j supports — PostgreSQL, MySQL, Hazelcast, Infinispan, Ignite,
 * Coherence, … — through the application's own {@link ProxyManager} with {@code String} keys: one budget across
 * every instance that shares the backend. Keys are {@code keyPrefix} + the SHA-256 of the bucket key, never raw
 * client input. Each window is a greedy token bucket, as in the other stores; a request takes its cost from every
 * window or from none. Any failure of the backend surfaces as {@link StoreUnavailableException}, for the failure
 * mode of the {@code ResilientBucketStore} around it; bound the backend's own calls (a JDBC pool's timeouts, a
 * grid's operation timeout) so that a failure costs a bounded time.
 *
 * <pre>{@code
 * ProxyManager<String> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
 *         .primaryKeyMapper(PrimaryKeyMapper.STRING)
 *         .build();
 * RateLimitPolicy.builder().limits(Limit.perMinute(100)).store(ProxyManagerBucketStore.of(proxies)).build();
 * }</pre>
 *
 * <p>This integration exists to take bucket4j's own type, so its factory names one: the one place in the public API
 * where a vendor type appears.
 */
public final class ProxyManagerBucketStore implements BucketStore {
    private final ProxyManager<String> proxies;
    private final String keyPrefix;

    private ProxyManagerBucketStore(ProxyManager<String> proxies, String keyPrefix) {
        this.proxies = requireNonNull(proxies, "proxies");
        this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
    }

    /** Buckets under the key prefix {@code gatehouse:rl:}. */
    public static ProxyManagerBucketStore of(ProxyManager<String> proxies) {
        return of(proxies, "gatehouse:rl:");
    }

    public static ProxyManagerBucketStore of(ProxyManager<String> proxies, String keyPrefix) {
        return new ProxyManagerBucketStore(proxies, keyPrefix);
    }

    @Override
    public Consumption tryConsume(String key, List<Limit> limits, long cost) {
        try {
            return Bucket4jBuckets.consumption(proxies.builder()
                    .build(keyPrefix + Digests.sha256Hex(key), () -> Bucket4jBuckets.configuration(limits))
                    .asVerbose()
                    .tryConsumeAndReturnRemaining(cost));
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("bucket4j: " + Throwables.rootMessage(e), e);
        }
    }

    @Override
    public String toString() {
        return "ProxyManagerBucketStore[" + proxies.getClass().getSimpleName() + ", " + keyPrefix + "]";
    }
}
