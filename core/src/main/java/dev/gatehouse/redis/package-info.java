/**
 * Redis-backed shared state (optional: needs {@code io.lettuce:lettuce-core} and {@code
 * com.bucket4j:bucket4j_jdk17-lettuce}): {@link dev.gatehouse.redis.RedisBucketStore} shares rate-limit
 * buckets across gateway instances, {@link dev.gatehouse.redis.RedisIdempotencyStore} idempotency records and
 * {@link dev.gatehouse.redis.RedisHttpCacheStore} the HTTP cache's responses.
 */
@NullMarked
package dev.gatehouse.redis;

import org.jspecify.annotations.NullMarked;
