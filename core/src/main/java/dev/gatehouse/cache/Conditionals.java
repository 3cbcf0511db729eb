package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A client's own conditional GET answered from a fresh stored response (RFC 9111 §4.3.2, RFC 9110 §13.1): {@code
 * If-None-Match} by weak comparison, else {@code If-Modified-Since} against {@code Last-Modified}.
 */
final class Conditionals {
    /** The fields a 304 carries from the stored 200 (RFC 9110 §15.4.5). */
    private static final String[] NOT_MODIFIED_FIELDS = {
        "Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Last-Modified", "Vary"
    };

    /** The request fields that make a request conditional (RFC 9110 §13.1). */
    static final List<String> PRECONDITIONS =
            List.of("If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range");

    private Conditionals() {}

    static boolean notModified(Headers request, int storedStatus, Headers stored) {
        if (storedStatus != 200) {
            return false;
        }
        if (request.contains("If-None-Match")) {
            Optional<String> etag = stored.first("ETag").map(Conditionals::opaque);
            if (etag.isEmpty()) {
                return false;
            }
            for (String field : request.all("If-None-Match")) {
                for (String tag : field.split(",")) {
                    String trimmed = tag.trim();
                    if (trimmed.equals("*") || opaque(trimmed).equals(etag.get())) {
                        return true;
                    }
                }
            }
            return false;
        }
        Optional<Instant> since = request.first("If-Modified-Since").flatMap(Freshness::httpDate);
        Optional<Instant> modified = stored.first("Last-Modified").flatMap(Freshness::httpDate);
        return since.isPresent() && modified.isPresent() && !modified.get().isAfter(since.get());
    }

    /** Whether the request carries a precondition of its own (RFC 9110 §13.1). */
    static boolean conditional(Headers request) {
        for (String name : PRECONDITIONS) {
            if (request.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The preconditions a cache sends to validate a stored 200 (RFC 9111 §4.3.1): {@code If-None-Match} with its
     * {@code ETag}, {@code If-Modified-Since} with its {@code Last-Modified}; empty when it has neither.
     */
    static Headers validators(StoredResponse stored) {
        Headers validators = Headers.create();
        if (stored.status() == 200) {
            stored.headers().first("ETag").ifPresent(etag -> validators.add("If-None-Match", etag));
            stored.headers().first("Last-Modified").ifPresent(date -> validators.add("If-Modified-Since", date));
        }
        return validators;
    }

    static Headers notModifiedHeaders(Headers stored) {
        Headers headers = Headers.create();
        for (String name : NOT_MODIFIED_FIELDS) {
            stored.all(name).forEach(value -> headers.add(name, value));
        }
        return headers;
    }

    /** The entity tag without its weakness indicator: weak comparison. */
    private static String opaque(String tag) {
        String trimmed = tag.trim();
        return trimmed.startsWith("W/") ? trimmed.substring(2) : trimmed;
    }
}
