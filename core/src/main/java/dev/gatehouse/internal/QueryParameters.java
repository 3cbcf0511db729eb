package dev.gatehouse.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads parameters from a raw query string ({@code a=1&b=2}, percent-encoded, {@code +} for space). */
public final class QueryParameters {
    private QueryParameters() {}

    /**
     * The decoded value of {@code name} when the query has it exactly once; empty when it is absent.
     *
     * @throws IllegalArgumentException when the parameter appears more than once or is badly encoded
     */
    public static Optional<String> single(Optional<String> query, String name) {
        if (query.isEmpty()) {
            return Optional.empty();
        }
        String found = null;
        for (String pair : query.get().split("&")) {
            int equals = pair.indexOf('=');
            String key = decode(equals < 0 ? pair : pair.substring(0, equals));
            if (key.equals(name)) {
                if (found != null) {
                    throw new IllegalArgumentException("query parameter " + name + " appears more than once");
                }
                found = equals < 0 ? "" : decode(pair.substring(equals + 1));
            }
        }
        return Optional.ofNullable(found);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
