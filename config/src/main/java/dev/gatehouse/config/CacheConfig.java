package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import org.jspecify.annotations.Nullable;

/**
 * The route's shared HTTP cache ({@code dev.gatehouse.cache.HttpCachePolicy}): {@code true} for the defaults, or
 * the largest body stored and how long a miss waits for a concurrent one for the same URI (an object means enabled
 * unless it says {@code enabled: false}). Responses are kept in the factory's one cache store, bounded by bytes.
 *
 * @param maxBodySize the largest body stored, {@code 1MiB} by default
 * @param collapseTimeout how long concurrent misses wait for the first one's response, {@code 5s} by default
 * @param name the cache's name in {@code Cache-Status} (RFC 9211), a token; {@code gatehouse} by default
 */
public record CacheConfig(
        @Nullable Boolean enabled,
        @Nullable String maxBodySize,
        @Nullable String collapseTimeout,
        @Nullable String name) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public CacheConfig {
        enabled = enabled == null || enabled;
        if (maxBodySize != null && ConfigValues.size(maxBodySize) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBodySize " + maxBodySize + " (expected: less than 2GiB)");
        }
        if (collapseTimeout != null) {
            ConfigValues.duration(collapseTimeout);
        }
        if (name != null && !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw new IllegalArgumentException("name " + name + " (expected: a token, such as edge-cache)");
        }
    }

    /** Whether the route is cached; {@code true} unless set. */
    @Override
    public Boolean enabled() {
        return enabled == null || enabled;
    }

    /** {@code cache: true} or {@code false}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static CacheConfig valueOf(Boolean enabled) {
        return new CacheConfig(enabled, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static CacheConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
