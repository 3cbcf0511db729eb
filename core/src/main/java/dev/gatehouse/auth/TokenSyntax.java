package dev.gatehouse.auth;

import com.auth0.jwt.exceptions.JWTDecodeException;
import dev.gatehouse.internal.Printable;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The compact serialization a token must have before anything decodes it, and what decoding errors mean. */
final class TokenSyntax {
    private static final Pattern CLAIM_IN_MESSAGE = Pattern.compile("claim '([a-z]{3})'");
    private static final Set<String> DATE_CLAIMS = Set.of("exp", "nbf", "iat");

    private TokenSyntax() {}

    /**
     * Three non-empty base64url segments (header and signature), no padding, no whitespace, each in its one
     * canonical encoding (the unused low bits of a last character zero), so that no token has a second spelling.
     */
    static void check(String token) throws JwtRefusal {
        int dots = 0;
        int firstDot = -1;
        int lastDot = -1;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (i == lastDot + 1) {
                    throw new JwtRefusal("The access token is malformed.", "malformed token: empty segment");
                }
                if (dots == 0) {
                    firstDot = i;
                }
                dots++;
                lastDot = i;
            } else if (!((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_')) {
                throw new JwtRefusal(
                        "The access token is malformed.",
                        "malformed token: character 0x" + Integer.toHexString(c) + " at " + i);
            }
        }
        if (dots != 2) {
            throw new JwtRefusal(
                    "The access token is malformed.", "malformed token: " + (dots + 1) + " segments (expected: 3)");
        }
        if (lastDot == token.length() - 1) {
            throw new JwtRefusal("The access token is malformed.", "malformed token: no signature");
        }
        checkCanonical(token, 0, firstDot);
        checkCanonical(token, firstDot + 1, lastDot);
        checkCanonical(token, lastDot + 1, token.length());
    }

    /** The segment {@code [start, end)} of base64url characters decodes from exactly this text and no other. */
    private static void checkCanonical(String token, int start, int end) throws JwtRefusal {
        int unusedBits = switch ((end - start) % 4) {
            case 0 -> 0;
            case 2 -> 4;
            case 3 -> 2;
            default -> -1;
        };
        if (unusedBits < 0 || (value(token.charAt(end - 1)) & ((1 << unusedBits) - 1)) != 0) {
            throw new JwtRefusal(
                    "The access token is malformed.", "malformed token: non-canonical base64url at " + (end - 1));
        }
    }

    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }

    /** java-jwt checks the registered date claims while decoding; its message names the claim. */
    static JwtRefusal undecodable(JWTDecodeException e) {
        String message = String.valueOf(e.getMessage());
        Matcher claim = CLAIM_IN_MESSAGE.matcher(message);
        if (claim.find() && DATE_CLAIMS.contains(claim.group(1))) {
            String name = claim.group(1);
            String problem = message.contains("out of the range") ? " out of range" : " is not a number";
            return new JwtRefusal("The access token has an invalid " + name + ".", name + problem);
        }
        return new JwtRefusal("The access token is malformed.", "undecodable token: " + Printable.of(message, 120));
    }
}
