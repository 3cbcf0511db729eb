package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How long a response stays fresh in a shared cache (RFC 9111 §4.2.1): {@code s-maxage}, else {@code max-age},
 * else {@code Expires} minus {@code Date}, else — only for heuristically cacheable statuses or {@code public}
 * responses with a {@code Last-Modified} — a tenth of the time since that modification, at most a day (§4.2.2).
 */
final class Freshness {
    /** The statuses RFC 9110 §15.1 defines as heuristically cacheable. */
    static final Set<Integer> HEURISTICALLY_CACHEABLE =
            Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

    private static final Duration MAX_HEURISTIC = Duration.ofDays(1);
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    private Freshness() {}

    /** The freshness lifetime; empty when neither explicit nor heuristic freshness applies. */
    static Optional<Duration> lifetime(int status, CacheControl control, Headers headers, Instant date) {
        OptionalLong explicit = control.seconds("s-maxage");
        if (explicit.isEmpty()) {
            explicit = control.seconds("max-age");
        }
        if (explicit.isPresent()) {
            return Optional.of(Duration.ofSeconds(explicit.getAsLong()));
        }
        if (headers.contains("Expires")) {
            // An invalid Expires, such as 0, means already expired (§5.3).
            return Optional.of(httpDate(headers.first("Expires").orElseThrow())
                    .map(expires -> Duration.between(date, expires))
                    .filter(lifetime -> !lifetime.isNegative())
                    .orElse(Duration.ZERO));
        }
        if (!HEURISTICALLY_CACHEABLE.contains(status) && !control.has("public")) {
            return Optional.empty();
        }
        return headers.first("Last-Modified")
                .flatMap(Freshness::httpDate)
                .map(modified -> Duration.between(modified, date).dividedBy(10))
                .filter(heuristic -> !heuristic.isNegative())
                .map(heuristic -> heuristic.compareTo(MAX_HEURISTIC) > 0 ? MAX_HEURISTIC : heuristic);
    }

    /**
     * The corrected initial age (§4.2.3): the larger of the apparent age ({@code Date} to receipt) and the {@code
     * Age} the response came with plus the time the request took.
     */
    static Duration initialAge(Headers headers, Instant date, Instant requestTime, Instant responseTime) {
        Duration apparent = Duration.between(date, responseTime);
        long ageValue = headers.first("Age")
                .map(age -> CacheControl.deltaSeconds(age.trim()))
                .orElse(0L);
        Duration corrected = Duration.ofSeconds(ageValue).plus(Duration.between(requestTime, responseTime));
        Duration initial = apparent.compareTo(corrected) > 0 ? apparent : corrected;
        return initial.isNegative() ? Duration.ZERO : initial;
    }

    static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    static String httpDate(Instant instant) {
        return IMF_FIXDATE.format(instant.atZone(ZoneOffset.UTC));
    }
}
