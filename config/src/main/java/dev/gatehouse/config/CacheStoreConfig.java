package dev.gatehouse.config;

import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
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
 */
public record CacheStoreConfig(
        @Nullable String store,
        @Nullable String maxSize,
        @Nullable String localTtl) {
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
    }

    /** The defaults: one in-memory store of 64 MiB. */
    public static CacheStoreConfig ofDefaults() {
        return new CacheStoreConfig(null, null, null);
    }

    @Override
    public String store() {
        return store == null ? "local" : store;
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
            return InMemoryHttpCacheStore.of(maxBytes());
        }
        if (redis == null) {
            throw new IllegalArgumentException("cache store redis but no Redis (expected: a redis URL)");
        }
        Duration localTtl = localTtlOrDefault();
        return localTtl.isZero() ? redis : TieredHttpCacheStore.of(redis, maxBytes(), localTtl);
    }
}
