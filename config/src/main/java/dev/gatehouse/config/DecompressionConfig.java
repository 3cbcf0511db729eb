package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import org.jspecify.annotations.Nullable;

/**
 * Inflates {@code gzip}/{@code deflate} request bodies before the service: {@code true} for the defaults, or caps
 * on the inflated size (413 past it) and on the ratio of inflated to sent bytes.
 */
public record DecompressionConfig(
        @Nullable Boolean enabled,
        @Nullable String maxInflated,
        @Nullable Integer maxRatio) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public DecompressionConfig {
        enabled = enabled == null || enabled;
        if (maxInflated != null
                && (ConfigValues.size(maxInflated) < 1 || ConfigValues.size(maxInflated) > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("maxInflated " + maxInflated + " (expected: 1 .. 2GiB)");
        }
        if (maxRatio != null && maxRatio < 1) {
            throw new IllegalArgumentException("maxRatio " + maxRatio + " (expected: 1 or more)");
        }
    }

    /** Whether request bodies are inflated; {@code true} unless set. */
    @Override
    public Boolean enabled() {
        return enabled == null || enabled;
    }

    /** {@code requestDecompression: true} or {@code false}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static DecompressionConfig valueOf(Boolean enabled) {
        return new DecompressionConfig(enabled, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static DecompressionConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
