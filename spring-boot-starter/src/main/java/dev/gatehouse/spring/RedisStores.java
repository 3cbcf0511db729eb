package dev.gatehouse.spring;

import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.redis.RedisBucketStore;
import dev.gatehouse.redis.RedisIdempotencyStore;
import org.springframework.util.ClassUtils;

/**
 * Opens the Redis stores (the context closes them: each has a {@code close()}). Lettuce and bucket4j's Lettuce
 * module are optional dependencies: asked for a store without them, this says which to add. Only loaded when
 * {@code gatehouse.redis} is set.
 */
final class RedisStores {
    private RedisStores() {}

    static BucketStore buckets(String url) {
        checkPresent();
        return RedisBucketStore.builder(url).build();
    }

    static IdempotencyStore records(String url) {
        checkPresent();
        return RedisIdempotencyStore.builder(url).build();
    }

    private static void checkPresent() {
        ClassLoader loader = RedisStores.class.getClassLoader();
        if (!ClassUtils.isPresent("io.lettuce.core.RedisClient", loader)
                || !ClassUtils.isPresent("io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager", loader)) {
            throw new IllegalStateException("gatehouse.redis is set, but Lettuce is missing (expected on the class"
                    + " path: io.lettuce:lettuce-core and com.bucket4j:bucket4j_jdk17-lettuce)");
        }
    }
}
