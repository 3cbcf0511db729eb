package dev.gatehouse.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.Principal;
import dev.gatehouse.internal.Printable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The verification pipeline of one token, cheapest and most telling checks first: size, syntax, decoding, the
 * header ({@code alg} not {@code none}, no {@code crit}, optionally {@code typ}), the trusted issuer, the key
 * ({@link KeySource#select}) and the algorithm it pins, the signature, the dates, the audience, and last the
 * claims that become the principal ({@link ClaimsMapper}). Every failure is a {@link JwtRefusal}.
 */
final class JwtVerifier {
    private static final long MAX_NUMERIC_DATE = 253402300799L; // 9999-12-31T23:59:59Z

    /** A verified token's principal and the instant (epoch millis) after which it is no longer accepted. */
    record Verified(Principal principal, long validUntilMillis) {}

    private final Map<String, KeySource> issuers;
    private final Set<String> audiences;
    private final List<String> sortedAudiences;
    private final long leewaySeconds;
    private final int maxTokenLength;
    private final boolean requireAccessTokenType;
    private final long cacheTtlMillis;
    private final Clock clock;
    private final ClaimsMapper claims;

    JwtVerifier(
            Map<String, KeySource> issuers,
            Set<String> audiences,
            Duration leeway,
            int maxTokenLength,
            boolean requireAccessTokenType,
            Duration cacheTtl,
            Clock clock,
            ClaimsMapper claims) {
        this.issuers = Map.copyOf(issuers);
        this.audiences = Set.copyOf(audiences);
        this.sortedAudiences = audiences.stream().sorted().toList();
        this.leewaySeconds = leeway.toSeconds();
        this.maxTokenLength = maxTokenLength;
        this.requireAccessTokenType = requireAccessTokenType;
        this.cacheTtlMillis = cacheTtl.toMillis();
        this.clock = clock;
        this.claims = claims;
    }

    /** The token's principal, valid until {@code min(exp + leeway, now + cacheTtl)}. */
    Verified verify(String token) throws JwtRefusal {
        if (token.length() > maxTokenLength) {
            throw new JwtRefusal(
                    "The access token is too large.",
                    "token of " + token.length() + " chars (max " + maxTokenLength + ")");
        }
        long now = clock.millis();
        TokenSyntax.check(token);
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw TokenSyntax.undecodable(e);
        }
        JwtKey key = checkHeader(jwt);
        boolean valid;
        try {
            valid = key.verifies(jwt);
        } catch (RuntimeException e) {
            throw new JwtRefusal(
                    "The access token signature is invalid.",
                    "signature unverifiable (" + key + "): " + e.getClass().getSimpleName());
        }
        if (!valid) {
            throw new JwtRefusal("The access token signature is invalid.", "signature invalid (" + key + ")");
        }
        long exp = checkTimes(jwt, now);
        checkAudience(jwt);
        Principal principal = claims.principal(jwt);
        long validUntil = Math.min(Math.multiplyExact(exp + leewaySeconds, 1000L), now + cacheTtlMillis);
        return new Verified(principal, validUntil);
    }

    private JwtKey checkHeader(DecodedJWT jwt) throws JwtRefusal {
        String alg = jwt.getHeaderClaim("alg").asString();
        if (alg == null) {
            throw new JwtRefusal("The access token is malformed.", "alg missing or not a string");
        }
        if (alg.toLowerCase(Locale.ROOT).equals("none")) {
            throw new JwtRefusal("The access token is not signed.", "alg " + Printable.of(alg, 10) + " refused");
        }
        if (!jwt.getHeaderClaim("crit").isMissing()) {
            throw new JwtRefusal(
                    "The access token uses unsupported critical extensions.",
                    "crit " + Printable.of(String.valueOf(jwt.getHeaderClaim("crit")), 80) + " not understood");
        }
        if (requireAccessTokenType) {
            String typ = jwt.getHeaderClaim("typ").asString();
            if (typ == null || !(typ.equalsIgnoreCase("at+jwt") || typ.equalsIgnoreCase("application/at+jwt"))) {
                throw new JwtRefusal(
                        "The token is not an access token.",
                        "typ " + (typ == null ? "missing" : Printable.of(typ, 40)) + " (expected: at+jwt)");
            }
        }
        String iss = jwt.getClaim("iss").asString();
        if (iss == null) {
            throw new JwtRefusal("The access token has no valid issuer.", "iss missing or not a string");
        }
        KeySource keys = issuers.get(iss);
        if (keys == null) {
            throw new JwtRefusal(
                    "The access token issuer is not trusted.", "iss " + Printable.of(iss, 100) + " not trusted");
        }
        JwtKey key = selectKey(jwt, alg, iss, keys);
        if (!alg.equals(key.algorithm().name())) {
            throw new JwtRefusal(
                    "The access token algorithm does not match its key.",
                    "alg " + Printable.of(alg, 16) + " does not match " + key);
        }
        return key;
    }

    /** The key the token's {@code kid} (a plain map key, never a path or URL) and {@code alg} family select. */
    private static JwtKey selectKey(DecodedJWT jwt, String alg, String iss, KeySource keys) throws JwtRefusal {
        Claim kidClaim = jwt.getHeaderClaim("kid");
        String kid = null;
        if (!kidClaim.isMissing()) {
            kid = kidClaim.asString();
            if (kid == null || !Printable.isVisibleAscii(kid, 256)) {
                throw new JwtRefusal(
                        "The access token names an unknown key.",
                        "malformed kid " + Printable.of(String.valueOf(kid), 40));
            }
        }
        JwtAlgorithm algorithm = JwtAlgorithm.named(alg);
        KeySelection selection = keys.select(kid, algorithm == null ? null : algorithm.family());
        if (selection instanceof KeySelection.Found found) {
            return found.key();
        }
        throw new JwtRefusal(
                kid == null ? "The access token names no key." : "The access token names an unknown key.",
                ((KeySelection.NotFound) selection).reason() + " for iss " + Printable.of(iss, 100));
    }

    /** Checks exp, nbf and iat against {@code now}; returns exp in epoch seconds. */
    private long checkTimes(DecodedJWT jwt, long nowMillis) throws JwtRefusal {
        long exp = numericDate(jwt, "exp", true);
        if (nowMillis >= (exp + leewaySeconds) * 1000L) {
            throw new JwtRefusal(
                    "The access token expired.",
                    "expired at " + Instant.ofEpochSecond(exp) + " (leeway " + leewaySeconds + "s)");
        }
        long nbf = numericDate(jwt, "nbf", false);
        if (nbf != Long.MIN_VALUE && nowMillis < (nbf - leewaySeconds) * 1000L) {
            throw new JwtRefusal(
                    "The access token is not valid yet.",
                    "not before " + Instant.ofEpochSecond(nbf) + " (leeway " + leewaySeconds + "s)");
        }
        long iat = numericDate(jwt, "iat", false);
        if (iat != Long.MIN_VALUE && nowMillis < (iat - leewaySeconds) * 1000L) {
            throw new JwtRefusal(
                    "The access token was issued in the future.",
                    "issued at " + Instant.ofEpochSecond(iat) + ", in the future (leeway " + leewaySeconds + "s)");
        }
        return exp;
    }

    /** A NumericDate claim in epoch seconds (fractions dropped), or MIN_VALUE when absent and optional. */
    private static long numericDate(DecodedJWT jwt, String name, boolean required) throws JwtRefusal {
        Claim claim = jwt.getClaim(name);
        if (claim.isMissing()) {
            if (required) {
                throw new JwtRefusal("The access token has no expiry.", name + " missing");
            }
            return Long.MIN_VALUE;
        }
        Double value = claim.isNull() ? null : claim.asDouble();
        if (value == null) {
            throw new JwtRefusal("The access token has an invalid " + name + ".", name + " is not a number");
        }
        if (value < 0 || value > MAX_NUMERIC_DATE) {
            throw new JwtRefusal("The access token has an invalid " + name + ".", name + " out of range");
        }
        return (long) Math.floor(value);
    }

    private void checkAudience(DecodedJWT jwt) throws JwtRefusal {
        Claim aud = jwt.getClaim("aud");
        String single = aud.asString();
        List<String> values = single != null
                ? List.of(single)
                : aud.isMissing() || aud.isNull() ? null : ClaimsMapper.listOfStrings(aud);
        if (values == null) {
            throw new JwtRefusal(
                    "The access token has no valid audience.", "aud missing or not a string or array of strings");
        }
        for (String value : values) {
            if (audiences.contains(value)) {
                return;
            }
        }
        throw new JwtRefusal(
                "The access token is not meant for this service.",
                "aud expected " + sortedAudiences + " got " + Printable.of(values.toString(), 200));
    }

    Set<String> issuers() {
        return issuers.keySet();
    }

    Set<String> audiences() {
        return audiences;
    }
}
