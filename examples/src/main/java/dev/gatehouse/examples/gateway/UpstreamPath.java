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
 *
 * <p>A path with {@code .} or {@code ..} segments or {@code ;} parameters (as sent or once decoded) is not
 * transformed at all but refused with 400: the route matched its normalized form, which the strip or rewrite would
 * not see.
 *
 * <p>What goes upstream must also be a URI: a character the listener took but RFC 3986 does not allow in a path or
 * query ({@code " < > \ ^ ` { | }}, non-ASCII) is percent-encoded as its UTF-8 bytes, as browsers do, and a
 * {@code %} that starts no escape ({@code %zz}) is refused with 400: the client's input, never the gateway's 502.
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
            return uri(rawPath + query);
        }
        if (!plain(rawPath)) {
            return null;
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
        return safe(path) ? uri(path + query) : null;
    }

    /**
     * {@code target} as a URI's path and query: characters RFC 3986 leaves out percent-encoded, or null when a
     * {@code %} starts no escape. Nearly every target is returned as it is, after one pass.
     */
    static @Nullable String uri(String target) {
        int i = 0;
        while (i < target.length() && allowed(target.charAt(i))) {
            i++;
        }
        if (i == target.length()) {
            return escapesWellFormed(target) ? target : null;
        }
        StringBuilder encoded = new StringBuilder(target.length() + 16).append(target, 0, i);
        for (; i < target.length(); i++) {
            char c = target.charAt(i);
            if (allowed(c)) {
                encoded.append(c);
            } else {
                for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    encoded.append('%')
                            .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
                }
            }
        }
        String result = encoded.toString();
        return escapesWellFormed(result) ? result : null;
    }

    /** RFC 3986's pchar, {@code /} and {@code ?}, and {@code %} (escapes are checked apart). */
    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
    }

    private static boolean escapesWellFormed(String target) {
        for (int at = target.indexOf('%'); at >= 0; at = target.indexOf('%', at + 1)) {
            if (at + 2 >= target.length()
                    || Character.digit(target.charAt(at + 1), 16) < 0
                    || Character.digit(target.charAt(at + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a client's path may be transformed: routes match the normalized path (without {@code .} and
     * {@code ..} segments and {@code ;} parameters), and a prefix stripped or a rewrite applied to a path that
     * still has them would cut the wrong characters or miss ({@code /./api/admin}, {@code /v1;x=1/secret}).
     */
    private static boolean plain(String rawPath) {
        if (rawPath.indexOf(';') >= 0) {
            return false;
        }
        String decoded = decode(rawPath);
        if (decoded == null || decoded.indexOf(';') >= 0) {
            return false;
        }
        for (String segment : decoded.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
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
