package dev.gatehouse.compression;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What response compression may touch, and how it keeps caches right: which responses are representations to
 * compress (status, {@code Range}, {@code Content-Encoding}, {@code no-transform}, media type), and the {@code
 * ETag} suffix that tells a compressed representation from the plain one.
 */
final class CompressionRules {
    private final List<String> compressTypes;
    private final List<String> skipTypes;
    private final List<String> codings;

    CompressionRules(List<String> compressTypes, List<String> skipTypes, List<String> codings) {
        this.compressTypes = List.copyOf(compressTypes);
        this.skipTypes = List.copyOf(skipTypes);
        this.codings = List.copyOf(codings);
    }

    /**
     * Whether the response is a representation this policy compresses for clients that accept it: status 200–599
     * but not 204 or 206, no {@code Range} asked, no content coding yet, no {@code Cache-Control: no-transform}
     * (RFC 9110 §7.7), and a compressible media type (a 304 has none and qualifies for its {@code ETag}).
     */
    boolean eligible(Exchange exchange, ResponseHead response) {
        int status = response.status();
        if (status < 200
                || status == 204
                || status == 206
                || exchange.requestHeaders().contains("Range")) {
            return false;
        }
        Headers headers = response.headers();
        for (String encoding : headers.all("Content-Encoding")) {
            if (!encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                return false;
            }
        }
        for (String cacheControl : headers.all("Cache-Control")) {
            for (String directive : cacheControl.split(",")) {
                if (directive.trim().equalsIgnoreCase("no-transform")) {
                    return false;
                }
            }
        }
        if (status == 304) {
            return true;
        }
        Optional<String> type = headers.first("Content-Type");
        return type.isPresent() && compressible(mediaType(type.get()));
    }

    /** Skip types win over compress types: {@code type/subtype}, {@code type/*} or {@code *}{@code /*+suffix}. */
    boolean compressible(String mediaType) {
        for (String pattern : skipTypes) {
            if (matches(pattern, mediaType)) {
                return false;
            }
        }
        for (String pattern : compressTypes) {
            if (matches(pattern, mediaType)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String mediaType) {
        if (pattern.endsWith("/*")) {
            return mediaType.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        if (pattern.startsWith("*/*+")) {
            return mediaType.endsWith(pattern.substring(3));
        }
        return pattern.equals(mediaType);
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
    }

    /** {@code "v"} → {@code "v--gzip"}; weak tags ({@code W/"v"}) stay as they are. */
    static String withCoding(String tag, String coding) {
        String trimmed = tag.trim();
        if (trimmed.length() < 2 || !trimmed.startsWith("\"") || !trimmed.endsWith("\"")) {
            return tag;
        }
        return trimmed.substring(0, trimmed.length() - 1) + "--" + coding + "\"";
    }

    /** A conditional header's tags with the coding suffixes removed, as the service issued them. */
    String stripCodingSuffixes(String value) {
        String result = value;
        for (String coding : codings) {
            result = result.replace("--" + coding + "\"", "\"");
        }
        return result;
    }
}
