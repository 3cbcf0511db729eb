package dev.gatehouse.auth;

import org.jspecify.annotations.Nullable;

/**
 * The JWS algorithms Gatehouse verifies (RFC 7518 §3, RFC 8037 §3.1). Each key is pinned to one; a token's
 * {@code alg} must name it exactly.
 */
public enum JwtAlgorithm {
    HS256(Family.HMAC, 32, null),
    HS384(Family.HMAC, 48, null),
    HS512(Family.HMAC, 64, null),
    RS256(Family.RSA, 32, null),
    RS384(Family.RSA, 48, null),
    RS512(Family.RSA, 64, null),
    PS256(Family.RSA, 32, null),
    PS384(Family.RSA, 48, null),
    PS512(Family.RSA, 64, null),
    ES256(Family.EC, 32, "P-256"),
    ES384(Family.EC, 48, "P-384"),
    ES512(Family.EC, 66, "P-521"),
    /** EdDSA over Ed25519 only (RFC 8037); Ed448 keys are refused. */
    EdDSA(Family.EDDSA, 32, "Ed25519");

    /** The kind of key an algorithm needs; RS and PS algorithms share RSA keys. */
    public enum Family {
        HMAC,
        RSA,
        EC,
        EDDSA
    }

    private final Family family;
    private final int size;
    private final @Nullable String curve;

    JwtAlgorithm(Family family, int size, @Nullable String curve) {
        this.family = family;
        this.size = size;
        this.curve = curve;
    }

    public Family family() {
        return family;
    }

    /**
     * For HMAC and RSA, the hash output in bytes (the minimum HMAC secret, the PSS salt); for EC, the field
     * size in bytes; for EdDSA, the public key size.
     */
    int size() {
        return size;
    }

    /** For EC, the JWK curve name; for EdDSA, {@code Ed25519}. */
    @Nullable
    String curve() {
        return curve;
    }

    /** The algorithm with exactly this JWS name ({@code RS256}, never {@code rs256}), or null. */
    static @Nullable JwtAlgorithm named(String name) {
        for (JwtAlgorithm algorithm : values()) {
            if (algorithm.name().equals(name)) {
                return algorithm;
            }
        }
        return null;
    }

    /** The ECDSA algorithm of a JWK {@code crv} (P-256, P-384, P-521), or null. */
    static @Nullable JwtAlgorithm forEcCurve(String curve) {
        for (JwtAlgorithm algorithm : values()) {
            if (algorithm.family == Family.EC && curve.equals(algorithm.curve)) {
                return algorithm;
            }
        }
        return null;
    }
}
