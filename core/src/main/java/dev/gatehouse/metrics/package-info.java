/**
 * Micrometer metrics (optional: needs {@code io.micrometer:micrometer-core}): {@link
 * dev.gatehouse.metrics.MicrometerChainListener} counts and times every policy decision and exchange.
 */
@NullMarked
package dev.gatehouse.metrics;

import org.jspecify.annotations.NullMarked;
