package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;

import com.auth0.jwt.algorithms.Algorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.BitSet;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One verification key, pinned to one {@link JwtAlgorithm}. Keys are checked when they are made: HMAC secrets
 * at least as long as the hash and not from public examples, RSA moduli of at least 2048 bits with a sane
 * exponent, EC points on the curve the algorithm names. A key made here can never verify a token signed with
 * another algorithm, so public keys can never double as HMAC secrets.
 */
public final class JwtKey {
    private static final int MIN_RSA_BITS = 2048;
    private static final Set<String> PUBLIC_SECRETS = Set.of(
            "a-string-secret-at-least-256-bits-long",
            "your-256-bit-secret-your-256-bit-secret",
            "your-384-bit-secret-your-384-bit-secret-your-384-bit",
            "your-512-bit-secret-your-512-bit-secret-your-512-bit-secret-your",
            "0123456789abcdef0123456789abcdef",
            "0123456789012345678901234567890123456789");

    private final Optional<String> kid;
    private final JwtAlgorithm algorithm;
    private final Algorithm verifier;

    private JwtKey(Optional<String> kid, JwtAlgorithm algorithm, Algorithm verifier) {
        this.kid = kid;
        this.algorithm = algorithm;
        this.verifier = verifier;
    }

    /**
     * An HMAC key.
     *
     * @param kid the key id tokens name in their header, or null when tokens carry none
     * @throws IllegalArgumentException when the secret is shorter than the hash output (32, 48, 64 bytes),
     *     has fewer than 8 distinct bytes, or is a secret published in examples
     */
    public static JwtKey hmac(@Nullable String kid, JwtAlgorithm algorithm, byte[] secret) {
        checkArgument(
                algorithm.family() == JwtAlgorithm.Family.HMAC,
                "algorithm: %s (expected: HS256, HS384 or HS512)",
                algorithm);
        checkArgument(
                secret.length >= algorithm.size(),
                "secret: %s bytes for %s (expected: at least %s bytes, the hash output; RFC 7518 §3.2)",
                secret.length,
                algorithm,
                algorithm.size());
        BitSet distinct = new BitSet(256);
        for (byte b : secret) {
            distinct.set(b & 0xff);
        }
        checkArgument(
                distinct.cardinality() >= 8,
                "secret: %s distinct bytes (expected: a random secret, not a repeated word)",
                distinct.cardinality());
        checkArgument(
                !PUBLIC_SECRETS.contains(new String(secret, StandardCharsets.ISO_8859_1)),
                "secret: a published example secret (expected: a random secret)");
        Algorithm verifier = switch (algorithm) {
            case HS256 -> Algorithm.HMAC256(secret);
            case HS384 -> Algorithm.HMAC384(secret);
            default -> Algorithm.HMAC512(secret);
        };
        return new JwtKey(kidOf(kid), algorithm, verifier);
    }

    /** An RSA public key for RS256, RS384 or RS512; the modulus must have at least 2048 bits. */
    public static JwtKey rsa(@Nullable String kid, JwtAlgorithm algorithm, RSAPublicKey key) {
        checkArgument(
                algorithm.family() == JwtAlgorithm.Family.RSA,
                "algorithm: %s (expected: RS256, RS384 or RS512)",
                algorithm);
        checkArgument(
                key.getModulus().bitLength() >= MIN_RSA_BITS,
                "RSA key %s: %s-bit modulus (expected: at least %s bits)",
                kid,
                key.getModulus().bitLength(),
                MIN_RSA_BITS);
        BigInteger e = key.getPublicExponent();
        checkArgument(
                e.testBit(0) && e.compareTo(BigInteger.valueOf(3)) >= 0 && e.compareTo(key.getModulus()) < 0,
                "RSA key %s: exponent %s (expected: odd, at least 3)",
                kid,
                e);
        Algorithm verifier = switch (algorithm) {
            case RS256 -> Algorithm.RSA256(key, null);
            case RS384 -> Algorithm.RSA384(key, null);
            default -> Algorithm.RSA512(key, null);
        };
        return new JwtKey(kidOf(kid), algorithm, verifier);
    }

    /** An EC public key for ES256 (P-256), ES384 (P-384) or ES512 (P-521); the point must be on that curve. */
    public static JwtKey ec(@Nullable String kid, JwtAlgorithm algorithm, ECPublicKey key) {
        checkArgument(
                algorithm.family() == JwtAlgorithm.Family.EC,
                "algorithm: %s (expected: ES256, ES384 or ES512)",
                algorithm);
        ECParameterSpec expected = curve(algorithm.curve());
        ECParameterSpec actual = key.getParams();
        checkArgument(
                actual.getOrder().equals(expected.getOrder())
                        && actual.getCurve().equals(expected.getCurve())
                        && actual.getGenerator().equals(expected.getGenerator()),
                "EC key %s: not on %s (expected: the curve %s names)",
                kid,
                algorithm.curve(),
                algorithm);
        checkArgument(isOnCurve(key.getW(), expected), "EC key %s: the point is not on %s", kid, algorithm.curve());
        Algorithm verifier = switch (algorithm) {
            case ES256 -> Algorithm.ECDSA256(key, null);
            case ES384 -> Algorithm.ECDSA384(key, null);
            default -> Algorithm.ECDSA512(key, null);
        };
        return new JwtKey(kidOf(kid), algorithm, verifier);
    }

    /** A public key from PEM text ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
    public static JwtKey fromPem(@Nullable String kid, JwtAlgorithm algorithm, String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        checkArgument(
                pem.contains("-----BEGIN PUBLIC KEY-----") && !base64.isEmpty(),
                "PEM key %s: no PUBLIC KEY block (expected: -----BEGIN PUBLIC KEY-----)",
                kid);
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM key " + kid + ": invalid base64", e);
        }
        try {
            String type = algorithm.family() == JwtAlgorithm.Family.RSA ? "RSA" : "EC";
            checkArgument(
                    algorithm.family() != JwtAlgorithm.Family.HMAC, "PEM key %s: %s needs a secret", kid, algorithm);
            PublicKey key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            return key instanceof RSAPublicKey rsa ? rsa(kid, algorithm, rsa) : ec(kid, algorithm, (ECPublicKey) key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PEM key " + kid + ": not a " + algorithm + " public key", e);
        }
    }

    public Optional<String> kid() {
        return kid;
    }

    public JwtAlgorithm algorithm() {
        return algorithm;
    }

    boolean isSecret() {
        return algorithm.family() == JwtAlgorithm.Family.HMAC;
    }

    Algorithm verifier() {
        return verifier;
    }

    static ECParameterSpec curve(String name) {
        String standard = switch (name) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw new IllegalArgumentException("curve: " + name + " (expected: P-256, P-384, P-521)");
        };
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(standard));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks curve " + standard, e);
        }
    }

    /** y² = x³ + ax + b (mod p), with 0 ≤ x, y < p: what the JDK's KeyFactory does not check. */
    static boolean isOnCurve(ECPoint point, ECParameterSpec curve) {
        if (point.equals(ECPoint.POINT_INFINITY)) {
            return false;
        }
        BigInteger p = ((ECFieldFp) curve.getCurve().getField()).getP();
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(p);
        BigInteger right = x.pow(3)
                .add(curve.getCurve().getA().multiply(x))
                .add(curve.getCurve().getB())
                .mod(p);
        return left.equals(right);
    }

    private static Optional<String> kidOf(@Nullable String kid) {
        if (kid == null) {
            return Optional.empty();
        }
        checkArgument(!kid.isEmpty(), "kid: \"\" (expected: null for no kid, or a non-empty id)");
        return Optional.of(kid);
    }

    @Override
    public String toString() {
        return "JwtKey[" + kid.orElse("(no kid)") + ", " + algorithm + "]";
    }
}
