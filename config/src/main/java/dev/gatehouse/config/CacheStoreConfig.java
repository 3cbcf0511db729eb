package dev.gatehouse.config;

import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
import dev.gatehouse.redis.RedisHttpCacheStore;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where every cached route keeps its responses (the top-level {@code cache}): {@code store: local} (the default),
 * one store of {@code maxSize} in this process's memory; or {@code store: redis}, in the Redis of the top-level
 * {@code redis} URL, shared by every instance, behind a local tier of {@code maxSize} that keeps each response at
 * most {@code localTtl} ({@code 0s}: no local tier). A purge on one instance reaches the other instances' local
 * tiers only when their copies expire, so {@code localTtl} is how long a purge may take to be seen everywhere.
 *
 * @param store {@code local} or {@code redis}
 * @param maxSize the in-memory bound, {@code 64MiB} by default
 * @param localTtl the longest a response stays in the local tier in front of Redis, {@code 2s} by default
 * @param keepStale how long a response is kept after it can no longer be served, for a request with its validators
 *     to refresh it with a 304: {@code 1m} in memory, none in Redis by default
 * @param maxEntrySize in Redis, the largest response (headers and body) stored, {@code 2MiB} by default
 * @param keyPrefix in Redis, the prefix of every key, {@code gatehouse:cache:} by default
 */
public record CacheStoreConfig(
        @Nullable String store,
        @Nullable String maxSize,
        @Nullable String localTtl,
        @Nullable String keepStale,
        @Nullable String maxEntrySize,
        @Nullable String keyPrefix) {
    public CacheStoreConfig {
        store = store == null ? "local" : store;
        if (!store.equals("local") && !store.equals("redis")) {
            throw new IllegalArgumentException("store " + store + " (expected: local or redis)");
        }
        if (maxSize != null && ConfigValues.size(maxSize) < 1) {
            throw new IllegalArgumentException("maxSize " + maxSize + " (expected: 1 byte or more)");
        }
        if (localTtl != null) {
            ConfigValues.duration(localTtl);
        }
        if (keepStale != null) {
            ConfigValues.duration(keepStale);
        }
        if (maxEntrySize != null || keyPrefix != null) {
            if (!store.equals("redis")) {
                throw new IllegalArgumentException((maxEntrySize != null ? "maxEntrySize" : "keyPrefix")
                        + " belongs to store: redis (expected: store: redis, or no such key)");
            }
            if (maxEntrySize != null
                    && (ConfigValues.size(maxEntrySize) < 1 || ConfigValues.size(maxEntrySize) > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("maxEntrySize " + maxEntrySize + " (expected: 1 byte to 2GiB)");
            }
            if (keyPrefix != null && keyPrefix.isEmpty()) {
                throw new IllegalArgumentException("keyPrefix: empty (expected: e.g. gatehouse:cache:)");
            }
        }
    }

    /** The defaults: one in-memory store of 64 MiB. */
    public static CacheStoreConfig ofDefaults() {
        return new CacheStoreConfig(null, null, null, null, null, null);
    }

    @Override
    public String store() {
        return store == null ? "local" : store;
    }

    /** {@code builder} with this configuration's Redis settings: {@code keepStale}, {@code maxEntrySize}, {@code keyPrefix}. */
    public RedisHttpCacheStore.Builder configure(RedisHttpCacheStore.Builder builder) {
        if (keepStale != null) {
            builder.keepStale(ConfigValues.duration(keepStale));
        }
        if (maxEntrySize != null) {
            builder.maxEntryBytes((int) ConfigValues.size(maxEntrySize));
        }
        if (keyPrefix != null) {
            builder.keyPrefix(keyPrefix);
        }
        return builder;
    }

    /** Whether responses are kept in Redis. */
    public boolean redis() {
        return store().equals("redis");
    }

    /** The in-memory bound in bytes. */
    public long maxBytes() {
        return maxSize == null ? RouteTableFactory.DEFAULT_CACHE_BYTES : ConfigValues.size(maxSize);
    }

    /** The local tier's residency in front of Redis; zero for none. */
    public Duration localTtlOrDefault() {
        return localTtl == null ? Duration.ofSeconds(2) : ConfigValues.duration(localTtl);
    }

    /**
     * The store this describes: in memory, or {@code redis} (a store the caller opened and closes) behind the local
     * tier.
     *
     * @throws IllegalArgumentException when the store is {@code redis} and {@code redis} is null
     */
    public HttpCacheStore open(@Nullable HttpCacheStore redis) {
        if (!redis()) {
            return keepStale == null
                    ? InMemoryHttpCacheStore.of(maxBytes())
                    : InMemoryHttpCacheStore.of(maxBytes(), ConfigValues.duration(keepStale));
        }
        if (redis == null) {
            throw new IllegalArgumentException("cache store redis but no Redis (expected: a redis URL)");
        }
        Duration localTtl = localTtlOrDefault();
        return localTtl.isZero() ? redis : TieredHttpCacheStore.of(redis, maxBytes(), localTtl);
    }
}
