/**
 * Rate limiting: {@link dev.gatehouse.ratelimit.RateLimitPolicy} over bucket4j token buckets kept in a
 * {@link dev.gatehouse.ratelimit.BucketStore} (local, or Redis in {@code dev.gatehouse.redis}) behind a
 * {@link dev.gatehouse.ratelimit.ResilientBucketStore} that owns the breaker and the store-failure mode, keyed by
 * client address ({@link dev.gatehouse.ClientAddress}), principal, plan, route or any function.
 */
@NullMarked
package dev.gatehouse.ratelimit;

import org.jspecify.annotations.NullMarked;
