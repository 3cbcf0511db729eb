package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a shared cache may store a response (RFC 9111 §3), and for how long it is fresh: GET responses with a
 * final status other than 206 and 304; never with {@code no-store} on either side, {@code private}, {@code Vary:
 * *} or {@code Set-Cookie}; to a request with {@code Authorization} only when the response says it may be shared
 * ({@code public}, {@code s-maxage} or {@code must-revalidate}, §3.5); and only with explicit or heuristic
 * freshness (§4.2).
 */
final class Storability {
    /** The statuses whose semantics this cache understands, for responses that say {@code must-understand}. */
    private static final Set<Integer> UNDERSTOOD =
            Set.of(200, 203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414, 501);

    private Storability() {}

    /** A response that may be stored: its keys' Vary names, freshness, and the windows it may be served stale in. */
    record Storable(List<String> varyNames, Duration lifetime, Duration staleWhileRevalidate, Duration staleIfError) {}

    /** Why not, for {@code Cache-Status: detail}; or the terms on which it may be stored. */
    sealed interface Verdict permits Verdict.Store, Verdict.Refuse {
        record Store(Storable storable) implements Verdict {}

        record Refuse(String detail) implements Verdict {}
    }

    static Verdict of(int status, Headers response, CacheControl request, boolean authorized, Instant date) {
        CacheControl control = CacheControl.of(response);
        if (status < 200 || status == 206 || status == 304) {
            return new Verdict.Refuse("status");
        }
        if (request.has("no-store") || control.has("no-store")) {
            return new Verdict.Refuse("no-store");
        }
        if (control.has("private")) {
            return new Verdict.Refuse("private");
        }
        if (authorized && !(control.has("public") || control.has("s-maxage") || control.has("must-revalidate"))) {
            return new Verdict.Refuse("authorization");
        }
        if (control.has("must-understand") && !UNDERSTOOD.contains(status)) {
            return new Verdict.Refuse("must-understand");
        }
        if (response.contains("Set-Cookie")) {
            return new Verdict.Refuse("set-cookie");
        }
        Optional<List<String>> varyNames = CacheKeys.varyNames(response);
        if (varyNames.isEmpty()) {
            return new Verdict.Refuse("vary-star");
        }
        Optional<Duration> lifetime = Freshness.lifetime(status, control, response, date);
        if (lifetime.isEmpty()) {
            return new Verdict.Refuse("no-freshness");
        }
        // no-cache: stored, but never served without validation (§5.2.2.4).
        Duration fresh = control.has("no-cache") ? Duration.ZERO : lifetime.get();
        boolean neverStale =
                control.has("must-revalidate") || control.has("proxy-revalidate") || control.has("no-cache");
        Duration staleWhileRevalidate = neverStale
                ? Duration.ZERO
                : Duration.ofSeconds(control.seconds("stale-while-revalidate").orElse(0));
        Duration staleIfError = neverStale
                ? Duration.ZERO
                : Duration.ofSeconds(control.seconds("stale-if-error").orElse(0));
        boolean validators = response.contains("ETag") || response.contains("Last-Modified");
        if (fresh.isZero() && staleWhileRevalidate.isZero() && staleIfError.isZero() && !validators) {
            return new Verdict.Refuse("stale");
        }
        return new Verdict.Store(new Storable(varyNames.get(), fresh, staleWhileRevalidate, staleIfError));
    }
}
