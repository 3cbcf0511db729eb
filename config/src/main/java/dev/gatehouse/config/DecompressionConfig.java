package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import org.jspecify.annotations.Nullable;

/**
 * Inflates {@code gzip}/{@code deflate} request bodies before the service: {@code true} for the defaults, or caps
 * on the inflated size (413 past it), on the ratio of inflated to sent bytes, on the compressed body as sent
 * ({@code maxWire}) and on how many stacked codings are decoded ({@code maxLayers}, 1..4, 2).
 */
public record DecompressionConfig(
        @Nullable Boolean enabled,
        @Nullable String maxInflated,
        @Nullable Integer maxRatio,
        @Nullable String maxWire,
        @Nullable Integer maxLayers) {
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
        if (maxWire != null && (ConfigValues.size(maxWire) < 1 || ConfigValues.size(maxWire) > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("maxWire " + maxWire + " (expected: 1 .. 2GiB)");
        }
        if (maxLayers != null && (maxLayers < 1 || maxLayers > 4)) {
            throw new IllegalArgumentException("maxLayers " + maxLayers + " (expected: 1..4)");
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
        return new DecompressionConfig(enabled, null, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static DecompressionConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
