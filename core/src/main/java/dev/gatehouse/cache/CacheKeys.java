package dev.gatehouse.cache;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of a stored response (RFC 9111 §2, §4.1): the primary key is the target URI, {@code
 * scheme://host/path?query}, shared by GET and HEAD; the secondary key is the normalized values of the request
 * fields the response's {@code Vary} names.
 */
final class CacheKeys {
    /** Fields whose values compare without letter case, so {@code GZIP} and {@code gzip} select one variant. */
    private static final Set<String> CASE_INSENSITIVE =
            Set.of("accept-encoding", "accept-language", "accept", "accept-charset");

    private CacheKeys() {}

    static String primary(Exchange exchange) {
        String host = exchange.requestHeaders().first("Host").orElse("").toLowerCase(Locale.ROOT);
        return uri(
                exchange.scheme(),
                host,
                exchange.path() + exchange.query().map(query -> "?" + query).orElse(""));
    }

    static String uri(String scheme, String host, String pathAndQuery) {
        return scheme.toLowerCase(Locale.ROOT) + "://" + host + pathAndQuery;
    }

    /** The request fields a response's {@code Vary} names, lower case, in order; empty for {@code Vary: *}. */
    static Optional<List<String>> varyNames(Headers response) {
        List<String> names = new ArrayList<>(2);
        for (String field : response.all("Vary")) {
            for (String listed : field.split(",")) {
                String name = listed.trim().toLowerCase(Locale.ROOT);
                if (name.equals("*")) {
                    return Optional.empty();
                }
                if (!name.isEmpty() && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        return Optional.of(names);
    }

    /**
     * The secondary key of a request for these field names: per name, its fields combined into one list whose
     * members are trimmed, with whitespace around {@code ;} and {@code =} and runs of it collapsed, and without
     * letter case for the content-negotiation fields. An absent field and an empty one differ.
     */
    static String variant(Headers request, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        StringBuilder variant = new StringBuilder();
        for (String name : names) {
            variant.append(name).append(':');
            if (!request.contains(name)) {
                variant.append('\u0000');
            }
            boolean first = true;
            for (String field : request.all(name)) {
                for (String member : field.split(",")) {
                    String normalized = normalize(member, CASE_INSENSITIVE.contains(name));
                    if (!normalized.isEmpty()) {
                        variant.append(first ? "" : ",").append(normalized);
                        first = false;
                    }
                }
            }
            variant.append('\n');
        }
        return variant.toString();
    }

    private static String normalize(String member, boolean ignoreCase) {
        String collapsed = member.trim().replaceAll("\\s+", " ").replaceAll(" ?([;=]) ?", "$1");
        return ignoreCase ? collapsed.toLowerCase(Locale.ROOT) : collapsed;
    }
}
