package dev.gatehouse.cache;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A response in an {@link HttpCacheStore}, with what its freshness was computed from when it was stored.
 *
 * @param response the status, headers and unencoded body as the service sent them (without {@code Age})
 * @param varyNames the request fields its {@code Vary} names, lower case; empty when it varies on none
 * @param variant the normalized values of those fields in the request that fetched it: its secondary key
 * @param storedAt when the response was received (RFC 9111 §4.2.3 {@code response_time})
 * @param initialAge its corrected initial age then ({@code corrected_initial_age})
 * @param lifetime its freshness lifetime (§4.2.1); zero when it must be revalidated before each use
 * @param staleWhileRevalidate how long after going stale it may still be served while one request refreshes it
 * @param staleIfError how long after going stale it may still be served in place of the service's 500, 502, 503
 *     or 504 ({@code stale-if-error}, RFC 5861 §4)
 */
public record CachedResponse(
        StoredResponse response,
        List<String> varyNames,
        String variant,
        Instant storedAt,
        Duration initialAge,
        Duration lifetime,
        Duration staleWhileRevalidate,
        Duration staleIfError) {
    public CachedResponse {
        requireNonNull(response, "response");
        varyNames = List.copyOf(varyNames);
        requireNonNull(variant, "variant");
        requireNonNull(storedAt, "storedAt");
        checkArgument(!initialAge.isNegative(), "initialAge: %s (expected: >= 0)", initialAge);
        checkArgument(!lifetime.isNegative(), "lifetime: %s (expected: >= 0)", lifetime);
        checkArgument(
                !staleWhileRevalidate.isNegative(), "staleWhileRevalidate: %s (expected: >= 0)", staleWhileRevalidate);
        checkArgument(!staleIfError.isNegative(), "staleIfError: %s (expected: >= 0)", staleIfError);
    }

    /**
     * How long after {@link #storedAt()} it can still be served in some way: fresh, within {@code
     * stale-while-revalidate}, or within {@code stale-if-error}. A store may drop it after that (keeping it longer
     * lets conditional requests revalidate it).
     */
    public Duration servable() {
        Duration stale = staleWhileRevalidate.compareTo(staleIfError) > 0 ? staleWhileRevalidate : staleIfError;
        return lifetime.plus(stale).minus(initialAge);
    }

    /** Whether it may be served at {@code now} in place of a server error ({@code stale-if-error}). */
    public boolean servableOnError(Instant now) {
        return timeToLive(now).plus(staleIfError).compareTo(Duration.ZERO) > 0;
    }

    /** Its current age at {@code now} (§4.2.3): the initial age plus the time it has been stored. */
    public Duration age(Instant now) {
        Duration resident = Duration.between(storedAt, now);
        return initialAge.plus(resident.isNegative() ? Duration.ZERO : resident);
    }

    /** How long it stays fresh after {@code now}; negative once it is stale. */
    public Duration timeToLive(Instant now) {
        return lifetime.minus(age(now));
    }

    /**
     * How long after {@code now} it can still be served in some way: {@link #servable()} less the time it has been
     * stored; negative once it cannot. What a store that expires entries by itself (Redis) gives it.
     */
    public Duration servableFor(Instant now) {
        Duration resident = Duration.between(storedAt, now);
        return servable().minus(resident.isNegative() ? Duration.ZERO : resident);
    }

    /** Roughly how many bytes of heap it holds: the body, the header text and a fixed overhead. */
    public int weight() {
        int headerChars = 0;
        for (int i = 0; i < response.headers().size(); i++) {
            headerChars += response.headers().name(i).length()
                    + response.headers().value(i).length();
        }
        return response.bodyLength() + 2 * (headerChars + variant.length()) + 256;
    }
}
