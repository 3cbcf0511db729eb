/**
 * Rate-limit buckets in any backend bucket4j supports, through the application's own {@code ProxyManager}
 * (optional: needs {@code com.bucket4j:bucket4j_jdk17-core} and the backend's bucket4j module).
 */
@NullMarked
package dev.gatehouse.bucket4j;

import org.jspecify.annotations.NullMarked;
