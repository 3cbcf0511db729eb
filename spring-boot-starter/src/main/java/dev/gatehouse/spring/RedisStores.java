package dev.gatehouse.spring;

import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.config.CacheStoreConfig;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.redis.RedisHttpCacheStore;
import dev.gatehouse.redis.RedisIdempotencyStore;
import dev.gatehouse.redis.RedisTokenBucketStore;
import org.springframework.util.ClassUtils;

/**
 * Opens the Redis stores (the context closes them: each has a {@code close()}): buckets in one round trip on
 * Redis's clock ({@code RedisTokenBucketStore}), idempotency records and cached responses. Lettuce is an optional dependency: asked
 * for a store without it, this says what to add. Only loaded when {@code gatehouse.redis} is set.
 */
final class RedisStores {
    private RedisStores() {}

    static BucketStore buckets(String url) {
        checkPresent();
        return RedisTokenBucketStore.builder(url).batching().build();
    }

    static IdempotencyStore records(String url) {
        checkPresent();
        return RedisIdempotencyStore.builder(url).build();
    }

    static HttpCacheStore cache(String url, CacheStoreConfig settings) {
        checkPresent();
        return settings.configure(RedisHttpCacheStore.builder(url)).build();
    }

    private static void checkPresent() {
        ClassLoader loader = RedisStores.class.getClassLoader();
        if (!ClassUtils.isPresent("io.lettuce.core.RedisClient", loader)) {
            throw new IllegalStateException("gatehouse.redis is set, but Lettuce is missing (expected on the class"
                    + " path: io.lettuce:lettuce-core)");
        }
    }
}
