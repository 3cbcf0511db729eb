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
 */
public record CachedResponse(
        StoredResponse response,
        List<String> varyNames,
        String variant,
        Instant storedAt,
        Duration initialAge,
        Duration lifetime,
        Duration staleWhileRevalidate) {
    public CachedResponse {
        requireNonNull(response, "response");
        varyNames = List.copyOf(varyNames);
        requireNonNull(variant, "variant");
        requireNonNull(storedAt, "storedAt");
        checkArgument(!initialAge.isNegative(), "initialAge: %s (expected: >= 0)", initialAge);
        checkArgument(!lifetime.isNegative(), "lifetime: %s (expected: >= 0)", lifetime);
        checkArgument(
                !staleWhileRevalidate.isNegative(), "staleWhileRevalidate: %s (expected: >= 0)", staleWhileRevalidate);
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
