package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency keys: {@code true} for the defaults (POST and PATCH, key optional, 24h), or which methods, whether
 * the key is required (400 without one) and how long a response is kept ({@code ttl}); how long a request in
 * progress holds its key before another may take it over ({@code lease}, 1m: longer than the route's timeout), and
 * what requests get while the store cannot answer ({@code onStoreFailure}: {@code 503}, the default, or {@code
 * proceed} without idempotency) and how long a failed store is left alone before it is tried again ({@code
 * storeBreakerWindow}; by default every request tries it); the largest request body fingerprinted ({@code maxBodySize}, 1MiB; larger is 413)
 * and the largest response body recorded for replay ({@code maxStoredBodySize}; a retry of a larger one gets 409).
 */
public record IdempotencyConfig(
        @Nullable Boolean enabled,
        @Nullable Boolean required,
        @Nullable List<String> methods,
        @Nullable String ttl,
        @Nullable String lease,
        @Nullable String onStoreFailure,
        @Nullable String maxBodySize,
        @Nullable String maxStoredBodySize,
        @Nullable String storeBreakerWindow) {
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
        if (lease != null && ConfigValues.duration(lease).isZero()) {
            throw new IllegalArgumentException(
                    "lease " + lease + " (expected: more than 0, longer than the route's" + " timeout)");
        }
        checkSize("maxBodySize", maxBodySize, 1);
        checkSize("maxStoredBodySize", maxStoredBodySize, 0);
        if (onStoreFailure != null && !onStoreFailure.equals("503") && !onStoreFailure.equals("proceed")) {
            throw new IllegalArgumentException("onStoreFailure " + onStoreFailure + " (expected: 503 or proceed)");
        }
        if (storeBreakerWindow != null
                && ConfigValues.duration(storeBreakerWindow).isZero()) {
            throw new IllegalArgumentException("storeBreakerWindow " + storeBreakerWindow + " (expected: more than 0)");
        }
    }

    private static void checkSize(String name, @Nullable String size, long least) {
        if (size != null && (ConfigValues.size(size) < least || ConfigValues.size(size) > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(name + " " + size + " (expected: " + least + " bytes to 2GiB)");
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
        return new IdempotencyConfig(enabled, null, null, null, null, null, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static IdempotencyConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
