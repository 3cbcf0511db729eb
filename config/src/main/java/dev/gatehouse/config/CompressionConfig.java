package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Response compression: {@code true} for the defaults, or the minimum size, the media types, the level and the
 * codings offered (an object means enabled unless it says {@code enabled: false}); the media types never compressed
 * ({@code skipTypes}: {@code [text/event-stream]} by default, and setting it replaces that), and {@code
 * skipCredentialed: true} to never compress a response to a request with {@code Authorization} or {@code Cookie}
 * (the BREACH guard for responses that reflect input next to secrets); and {@code poolSize}, how many idle
 * compressors of each coding are kept for reuse (64).
 */
public record CompressionConfig(
        @Nullable Boolean enabled,
        @Nullable String minSize,
        @Nullable List<String> types,
        @Nullable Integer level,
        @Nullable List<String> codings,
        @Nullable List<String> skipTypes,
        @Nullable Boolean skipCredentialed,
        @Nullable Integer poolSize) {
    private static final List<String> CODINGS = List.of("gzip", "deflate", "br", "zstd");

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public CompressionConfig {
        enabled = enabled == null || enabled;
        if (level != null && (level < 1 || level > 9)) {
            throw new IllegalArgumentException("level " + level + " (expected: 1..9)");
        }
        if (minSize != null) {
            ConfigValues.size(minSize);
        }
        if (poolSize != null && (poolSize < 1 || poolSize > 4096)) {
            throw new IllegalArgumentException("poolSize " + poolSize + " (expected: 1..4096)");
        }
        types = types == null ? null : List.copyOf(types);
        codings = codings == null ? null : List.copyOf(codings);
        skipTypes = skipTypes == null ? null : List.copyOf(skipTypes);
        for (String coding : codings == null ? List.<String>of() : codings) {
            if (!CODINGS.contains(coding)) {
                throw new IllegalArgumentException("coding " + coding + " (expected: gzip, deflate, br or zstd)");
            }
        }
    }

    /** Whether responses are compressed; {@code true} unless set. */
    @Override
    public Boolean enabled() {
        return enabled == null || enabled;
    }

    /** Whether every setting is the default, so one shared policy serves. */
    public boolean isDefault() {
        return minSize == null
                && types == null
                && level == null
                && codings == null
                && skipTypes == null
                && skipCredentialed == null
                && poolSize == null;
    }

    /** {@code compression: true} or {@code false}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static CompressionConfig valueOf(Boolean enabled) {
        return new CompressionConfig(enabled, null, null, null, null, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static CompressionConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
