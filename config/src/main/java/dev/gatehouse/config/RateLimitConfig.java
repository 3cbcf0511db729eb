package dev.gatehouse.config;

import dev.gatehouse.Headers;
import dev.gatehouse.ratelimit.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Limits per key, with optional limits per plan and a cost per request. Keys: {@code address} (the client
 * address, through {@code trustedProxies}), {@code principal} (else the address), {@code apiKey} (the API
 * key's owner; requests without one share a bucket), {@code route} (one budget for the route), {@code plan}
 * (one budget per plan), {@code header:<Name>} (a request header's value; requests without it share a bucket).
 *
 * <p>And how the limit behaves: {@code missingKey: deny} refuses a request without its key (403; a principal or plan
 * key then no longer falls back) where {@code share} (the default) gives such requests one bucket; {@code headers:
 * legacy} sends {@code X-RateLimit-Limit/-Remaining/-Reset} instead of the draft's {@code RateLimit-Policy} and
 * {@code RateLimit}; {@code shadow: true} counts and logs but never refuses; {@code onStoreFailure} is what
 * requests get while the store (Redis) cannot answer: {@code open} (admitted, the default), {@code closed} (503)
 * or {@code local} (counted on this instance until it is back), and {@code storeBreakerWindow} how long a failed
 * store is left alone (5s). Windows of other lengths go under {@code windows}: {@code [{limit: 20, per: 10s}]},
 * each named by its length (or its own {@code name}) in the rate-limit header fields.
 */
public record RateLimitConfig(
        @Nullable String key,
        @Nullable Long perSecond,
        @Nullable Long perMinute,
        @Nullable Long perHour,
        @Nullable Long perDay,
        @Nullable Long cost,
        @Nullable Map<String, RateLimitConfig> plans,
        @Nullable String missingKey,
        @Nullable String headers,
        @Nullable Boolean shadow,
        @Nullable String onStoreFailure,
        @Nullable String storeBreakerWindow,
        @Nullable List<Window> windows) {
    private static final List<String> KEYS = List.of("address", "principal", "apiKey", "route", "plan");
    private static final List<String> FAILURE_MODES = List.of("open", "closed", "local");

    public RateLimitConfig {
        key = key == null ? "address" : key;
        if (!KEYS.contains(key)) {
            if (!key.startsWith("header:")) {
                throw new IllegalArgumentException(
                        "key " + key + " (expected: address, principal, apiKey, route, plan or header:<Name>)");
            }
            Headers.checkName(key.substring("header:".length()));
        }
        windows = windows == null ? List.of() : List.copyOf(windows);
        if (perSecond == null && perMinute == null && perHour == null && perDay == null && windows.isEmpty()) {
            throw new IllegalArgumentException("no limit (expected: perSecond, perMinute, perHour, perDay or windows)");
        }
        checkLimit("perSecond", perSecond);
        checkLimit("perMinute", perMinute);
        checkLimit("perHour", perHour);
        checkLimit("perDay", perDay);
        Set<String> names = new HashSet<>();
        for (Limit limit : limits(perSecond, perMinute, perHour, perDay, windows)) {
            if (!names.add(limit.name())) {
                throw new IllegalArgumentException(
                        "window " + limit.name() + " twice (expected: each window named once; give one a name)");
            }
        }
        if (cost != null && cost < 1) {
            throw new IllegalArgumentException("cost " + cost + " (expected: 1 or more tokens per request)");
        }
        plans = plans == null ? Map.of() : Map.copyOf(plans);
        plans.forEach((plan, limits) -> {
            if (limits.missingKey != null
                    || limits.headers != null
                    || limits.shadow != null
                    || limits.onStoreFailure != null
                    || limits.storeBreakerWindow != null) {
                throw new IllegalArgumentException("plans." + plan + ": missingKey, headers, shadow, onStoreFailure and"
                        + " storeBreakerWindow belong to the route's rateLimit (expected: only limits, key and cost)");
            }
        });
        if (missingKey != null && !missingKey.equals("share") && !missingKey.equals("deny")) {
            throw new IllegalArgumentException("missingKey " + missingKey + " (expected: share or deny)");
        }
        if (headers != null && !headers.equals("draft") && !headers.equals("legacy")) {
            throw new IllegalArgumentException("headers " + headers + " (expected: draft or legacy)");
        }
        if (onStoreFailure != null && !FAILURE_MODES.contains(onStoreFailure)) {
            throw new IllegalArgumentException(
                    "onStoreFailure " + onStoreFailure + " (expected: open, closed or local)");
        }
        if (storeBreakerWindow != null
                && ConfigValues.duration(storeBreakerWindow).isZero()) {
            throw new IllegalArgumentException("storeBreakerWindow " + storeBreakerWindow + " (expected: more than 0)");
        }
    }

    /** The windows of this limit, in the order of the header fields: second, minute, hour, day, then windows. */
    public List<Limit> limits() {
        return limits(perSecond, perMinute, perHour, perDay, windows());
    }

    @Override
    public List<Window> windows() {
        return windows == null ? List.of() : windows;
    }

    private static List<Limit> limits(
            @Nullable Long perSecond,
            @Nullable Long perMinute,
            @Nullable Long perHour,
            @Nullable Long perDay,
            List<Window> windows) {
        List<Limit> list = new ArrayList<>();
        if (perSecond != null) {
            list.add(Limit.perSecond(perSecond));
        }
        if (perMinute != null) {
            list.add(Limit.perMinute(perMinute));
        }
        if (perHour != null) {
            list.add(Limit.perHour(perHour));
        }
        if (perDay != null) {
            list.add(Limit.of("day", perDay, Duration.ofDays(1)));
        }
        windows.forEach(window -> list.add(window.toLimit()));
        return list;
    }

    /**
     * A window of any length: at most {@code limit} requests (or cost) {@code per} this long (whole seconds, 1s or
     * more), named {@code name} in the header fields ({@code per} as written unless set).
     */
    public record Window(long limit, String per, @Nullable String name) {
        public Window {
            if (per == null) {
                throw new IllegalArgumentException("per missing (expected: the window's length, such as 10s)");
            }
            checkLimit("limit", limit);
            toLimit(limit, per, name);
        }

        Limit toLimit() {
            return toLimit(limit, per, name);
        }

        private static Limit toLimit(long limit, String per, @Nullable String name) {
            Duration window = ConfigValues.duration(per);
            if (window.toMillis() < 1000 || window.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("per " + per + " (expected: whole seconds, 1s or more)");
            }
            String named = name == null ? per : name;
            if (!named.matches("[A-Za-z0-9_.:-]{1,32}")) {
                throw new IllegalArgumentException("name " + named + " (expected: 1..32 of A-Z a-z 0-9 _ . : -)");
            }
            if (limit > window.toNanos()) {
                throw new IllegalArgumentException(
                        "limit " + limit + " per " + per + " (expected: at most one per ns)");
            }
            return Limit.of(named, limit, window);
        }
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

    /** Whether a request without its key is refused ({@code missingKey: deny}). */
    public boolean denyMissingKey() {
        return "deny".equals(missingKey);
    }

    /** Whether the key needs the principal, so the limit runs after authentication. */
    public boolean afterAuth() {
        String name = key();
        return !name.equals("address") && !name.equals("route") && !name.startsWith("header:");
    }
}
