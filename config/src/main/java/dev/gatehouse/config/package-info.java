/**
 * One declarative vocabulary for Gatehouse's policies: immutable records that check their own values (auth, keys,
 * rate limits, compression, request decompression, idempotency, trusted proxies, routes), and {@link
 * dev.gatehouse.config.RouteTableFactory}, which turns them into a {@link dev.gatehouse.RouteTable}. The example
 * gateway's YAML and the Spring Boot starter's {@code gatehouse.*} properties bind to these same records.
 */
@NullMarked
package dev.gatehouse.config;

import org.jspecify.annotations.NullMarked;
