package dev.gatehouse.examples.gateway;

import java.util.regex.Matcher;
import org.jspecify.annotations.Nullable;

/**
 * The path a route sends upstream: the client's raw (still percent-encoded) path, with the route's prefix stripped
 * first and its rewrite applied second; the query is never touched. A transformed path must stay a path on the
 * upstream's own authority: one that does not start with {@code /}, starts with {@code //} (as sent or once
 * decoded), contains a {@code ..}
 * segment, a backslash, a control character (CR, LF, NUL...), a scheme ({@code ://}) or a malformed escape — all
 * judged after percent-decoding, in any letter case — is refused, and the gateway answers 400.
 */
final class UpstreamPath {
    private UpstreamPath() {}

    /**
     * The path and query for the upstream, or null when the transformed path is refused.
     *
     * @param rawPath the client's path as sent
     * @param rawQuery the client's query as sent, or null
     */
    static @Nullable String of(GatewayRoute route, String rawPath, @Nullable String rawQuery) {
        String query = rawQuery == null ? "" : "?" + rawQuery;
        if (!route.stripPrefix() && route.rewrite() == null) {
            return rawPath + query;
        }
        String path = rawPath;
        if (route.stripPrefix() && !route.prefix().equals("/")) {
            String rest = path.substring(Math.min(route.prefix().length(), path.length()));
            path = rest.startsWith("/") ? rest : "/" + rest;
        }
        GatewayRoute.Rewrite rewrite = route.rewrite();
        if (rewrite != null) {
            Matcher matcher = rewrite.from().matcher(path);
            path = matcher.replaceAll(rewrite.to());
        }
        return safe(path) ? path + query : null;
    }

    /** Whether {@code path} stays a plain path on the upstream's authority (see the class comment). */
    static boolean safe(String path) {
        if (!path.startsWith("/") || path.startsWith("//")) {
            return false;
        }
        String decoded = decode(path);
        if (decoded == null || !decoded.startsWith("/") || decoded.startsWith("//")) {
            return false;
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return false;
            }
        }
        if (decoded.contains("://")) {
            return false;
        }
        for (String segment : decoded.split("[/;]", -1)) {
            if (segment.equals("..")) {
                return false;
            }
        }
        // A raw path that a second decoding would turn unsafe (%252e%252e) is refused as well.
        return decoded.indexOf('%') < 0 || safe(decoded);
    }

    /** Percent-decodes {@code path} byte-wise (Latin-1 is enough to find ASCII); null on a malformed escape. */
    private static @Nullable String decode(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return null;
            }
            int high = Character.digit(path.charAt(i + 1), 16);
            int low = Character.digit(path.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            out.append((char) (high * 16 + low));
            i += 2;
        }
        return out.toString();
    }
}
