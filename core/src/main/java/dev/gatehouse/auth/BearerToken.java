package dev.gatehouse.auth;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.internal.Printable;
import dev.gatehouse.internal.QueryParameters;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a bearer token travels (RFC 6750 §2): one {@code Authorization} field with the {@code Bearer} scheme in
 * any letter case, or — only when enabled, since URLs are logged everywhere — the {@code access_token} query
 * parameter; never both, never twice. Written for the cache-hit path: finding the field allocates nothing, and
 * the token is cut out of the field only when it has to be verified.
 */
final class BearerToken {
    private static final String AUTHORIZATION = "Authorization";
    private static final String SCHEME = "Bearer ";

    private BearerToken() {}

    /**
     * The value of the single {@code Authorization} field when it holds a Bearer credential; null when there is
     * no such field or it holds another scheme.
     *
     * @throws JwtRefusal with two or more {@code Authorization} fields
     */
    static @Nullable String authorization(Headers headers) throws JwtRefusal {
        String value = null;
        int fields = 0;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.name(i).equalsIgnoreCase(AUTHORIZATION)) {
                fields++;
                value = headers.value(i);
            }
        }
        if (fields > 1) {
            throw new JwtRefusal("Send one Authorization header.", fields + " Authorization fields");
        }
        return value != null && value.regionMatches(true, 0, SCHEME, 0, SCHEME.length()) ? value : null;
    }

    /**
     * The {@code access_token} query parameter, if any.
     *
     * @throws JwtRefusal when the parameter is repeated
     */
    static Optional<String> fromQuery(Exchange exchange) throws JwtRefusal {
        try {
            return QueryParameters.single(exchange.query(), "access_token");
        } catch (IllegalArgumentException e) {
            throw new JwtRefusal("Send the token once.", Printable.of(String.valueOf(e.getMessage()), 120));
        }
    }

    /** The token of a Bearer {@code Authorization} value, without the surrounding whitespace. */
    static String token(String authorization) {
        return authorization.substring(SCHEME.length()).strip();
    }

    /**
     * Whether {@link #token} strips nothing: the value is exactly {@code "Bearer "} and the token, 7 characters
     * longer than it.
     */
    static boolean isUnpadded(String authorization) {
        return authorization.length() > SCHEME.length()
                && !Character.isWhitespace(authorization.charAt(SCHEME.length()))
                && !Character.isWhitespace(authorization.charAt(authorization.length() - 1));
    }
}
