package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency keys: {@code true} for the defaults (POST and PATCH, key optional, 24h), or which methods, whether
 * the key is required (400 without one) and how long a response is kept.
 */
public record IdempotencyConfig(
        @Nullable Boolean enabled,
        @Nullable Boolean required,
        @Nullable List<String> methods,
        @Nullable String ttl) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public IdempotencyConfig {
        enabled = enabled == null || enabled;
        methods = methods == null ? null : List.copyOf(methods);
        if (methods != null && methods.isEmpty()) {
            throw new IllegalArgumentException("methods: none (expected: e.g. [POST, PATCH])");
        }
        if (ttl != null) {
            ConfigValues.duration(ttl);
        }
    }

    /** Whether idempotency keys are honoured; {@code true} unless set. */
    @Override
    public Boolean enabled() {
        return enabled == null || enabled;
    }

    /** {@code idempotency: true} or {@code false}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static IdempotencyConfig valueOf(Boolean enabled) {
        return new IdempotencyConfig(enabled, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static IdempotencyConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
