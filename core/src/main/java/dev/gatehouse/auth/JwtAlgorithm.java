package dev.gatehouse.auth;

/** The JWS algorithms Gatehouse verifies. Each key is pinned to one; a token's {@code alg} must name it exactly. */
public enum JwtAlgorithm {
    HS256(Family.HMAC, 32, null),
    HS384(Family.HMAC, 48, null),
    HS512(Family.HMAC, 64, null),
    RS256(Family.RSA, 0, null),
    RS384(Family.RSA, 0, null),
    RS512(Family.RSA, 0, null),
    ES256(Family.EC, 32, "P-256"),
    ES384(Family.EC, 48, "P-384"),
    ES512(Family.EC, 66, "P-521");

    /** The kind of key an algorithm needs. */
    public enum Family {
        HMAC,
        RSA,
        EC
    }

    private final Family family;
    private final int size;
    private final String curve;

    JwtAlgorithm(Family family, int size, String curve) {
        this.family = family;
        this.size = size;
        this.curve = curve;
    }

    public Family family() {
        return family;
    }

    /** For HMAC, the minimum secret length (the hash output) in bytes; for EC, the field size in bytes. */
    int size() {
        return size;
    }

    /** For EC, the JWK curve name. */
    String curve() {
        return curve;
    }

    /** The algorithm with exactly this JWS name ({@code RS256}, never {@code rs256}), or null. */
    static JwtAlgorithm named(String name) {
        for (JwtAlgorithm algorithm : values()) {
            if (algorithm.name().equals(name)) {
                return algorithm;
            }
        }
        return null;
    }

    static JwtAlgorithm forCurve(String curve) {
        for (JwtAlgorithm algorithm : values()) {
            if (curve.equals(algorithm.curve)) {
                return algorithm;
            }
        }
        return null;
    }
}
