package dev.gatehouse.config;

import dev.gatehouse.Headers;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Limits per key, with optional limits per plan and a cost per request. Keys: {@code address} (the client
 * address, through {@code trustedProxies}), {@code principal} (else the address), {@code apiKey} (the API
 * key's owner; requests without one share a bucket), {@code route} (one budget for the route), {@code plan}
 * (one budget per plan), {@code header:<Name>} (a request header's value; requests without it share a bucket).
 */
public record RateLimitConfig(
        @Nullable String key,
        @Nullable Long perSecond,
        @Nullable Long perMinute,
        @Nullable Long perHour,
        @Nullable Long cost,
        @Nullable Map<String, RateLimitConfig> plans) {
    private static final List<String> KEYS = List.of("address", "principal", "apiKey", "route", "plan");

    public RateLimitConfig {
        key = key == null ? "address" : key;
        if (!KEYS.contains(key)) {
            if (!key.startsWith("header:")) {
                throw new IllegalArgumentException(
                        "key " + key + " (expected: address, principal, apiKey, route, plan or header:<Name>)");
            }
            Headers.checkName(key.substring("header:".length()));
        }
        if (perSecond == null && perMinute == null && perHour == null) {
            throw new IllegalArgumentException("no limit (expected: perSecond, perMinute or perHour)");
        }
        checkLimit("perSecond", perSecond);
        checkLimit("perMinute", perMinute);
        checkLimit("perHour", perHour);
        if (cost != null && cost < 1) {
            throw new IllegalArgumentException("cost " + cost + " (expected: 1 or more tokens per request)");
        }
        plans = plans == null ? Map.of() : Map.copyOf(plans);
    }

    private static void checkLimit(String name, @Nullable Long limit) {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException(name + " " + limit + " (expected: 1 or more requests)");
        }
    }

    /** The bucket key: {@code address} unless set. */
    @Override
    public String key() {
        return key == null ? "address" : key;
    }

    /** Whether the key needs the principal, so the limit runs after authentication. */
    public boolean afterAuth() {
        String name = key();
        return !name.equals("address") && !name.equals("route") && !name.startsWith("header:");
    }
}
