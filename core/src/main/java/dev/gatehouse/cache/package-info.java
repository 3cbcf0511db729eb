/**
 * A shared HTTP cache (RFC 9111, RFC 5861's {@code stale-while-revalidate}, RFC 9211's {@code Cache-Status}):
 * {@link dev.gatehouse.cache.HttpCachePolicy} answers GET and HEAD from responses kept in an {@link
 * dev.gatehouse.cache.HttpCacheStore}, in memory bounded by bytes ({@link dev.gatehouse.cache.InMemoryHttpCacheStore}),
 * or shared by several instances with a short-lived local tier in front ({@link
 * dev.gatehouse.cache.TieredHttpCacheStore} over {@code dev.gatehouse.redis.RedisHttpCacheStore}).
 */
@NullMarked
package dev.gatehouse.cache;

import org.jspecify.annotations.NullMarked;
