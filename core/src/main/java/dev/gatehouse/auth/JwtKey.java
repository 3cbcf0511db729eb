package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.BitSet;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One verification key, pinned to one {@link JwtAlgorithm}, with an optional {@code kid} for every kind of key
 * (see {@link KeySource} for how tokens select keys with and without one). Keys are checked when they are made:
 * HMAC secrets at least as long as the hash and not from public examples; RSA moduli of at least 2048 bits with a
 * sane exponent and without the ROCA fingerprint (CVE-2017-15361); EC points on the curve the algorithm names;
 * Ed25519 points on the curve and not of small order (Ed448 is refused). A key made here can never verify a token
 * signed with another algorithm, so public keys can never double as HMAC secrets and an RS key never verifies PS.
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
    private final SignatureCheck signature;

    /** Checks a decoded token's signature: true when valid, false for any signature that is not. */
    @FunctionalInterface
    private interface SignatureCheck {
        boolean verifies(DecodedJWT jwt);
    }

    private JwtKey(Optional<String> kid, JwtAlgorithm algorithm, SignatureCheck signature) {
        this.kid = kid;
        this.algorithm = algorithm;
        this.signature = signature;
    }

    private JwtKey(Optional<String> kid, JwtAlgorithm algorithm, Algorithm verifier) {
        this(kid, algorithm, jwt -> {
            try {
                verifier.verify(jwt);
                return true;
            } catch (SignatureVerificationException e) {
                return false;
            }
        });
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

    /**
     * An RSA public key for RS256, RS384, RS512 (PKCS #1 v1.5) or PS256, PS384, PS512 (RSASSA-PSS).
     *
     * @throws IllegalArgumentException when the modulus has fewer than 2048 bits or the ROCA fingerprint
     *     (CVE-2017-15361), or the exponent is even, below 3 or not below the modulus
     */
    public static JwtKey rsa(@Nullable String kid, JwtAlgorithm algorithm, RSAPublicKey key) {
        checkArgument(
                algorithm.family() == JwtAlgorithm.Family.RSA,
                "algorithm: %s (expected: RS256, RS384, RS512, PS256, PS384 or PS512)",
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
        checkArgument(
                !RocaFingerprint.matches(key.getModulus()),
                "RSA key %s: the modulus has the ROCA fingerprint (CVE-2017-15361: it can be factored; expected: a"
                        + " key not generated by Infineon's RSALib)",
                kid);
        // java-jwt 4.6.2 has the PSS algorithms with the RFC 7518 §3.5 parameters: MGF1 with the same hash, a salt
        // as long as the hash, trailer field 1; the JDK's RSASSA-PSS then refuses any other salt length.
        Algorithm verifier = switch (algorithm) {
            case RS256 -> Algorithm.RSA256(key, null);
            case RS384 -> Algorithm.RSA384(key, null);
            case RS512 -> Algorithm.RSA512(key, null);
            case PS256 -> Algorithm.RSA256PSS(key, null);
            case PS384 -> Algorithm.RSA384PSS(key, null);
            default -> Algorithm.RSA512PSS(key, null);
        };
        return new JwtKey(kidOf(kid), algorithm, verifier);
    }

    /** An EC public key for ES256 (P-256), ES384 (P-384) or ES512 (P-521); the point must be on that curve. */
    public static JwtKey ec(@Nullable String kid, JwtAlgorithm algorithm, ECPublicKey key) {
        checkArgument(
                algorithm.family() == JwtAlgorithm.Family.EC,
                "algorithm: %s (expected: ES256, ES384 or ES512)",
                algorithm);
        ECParameterSpec expected = EcCurves.named(String.valueOf(algorithm.curve()));
        ECParameterSpec actual = key.getParams();
        checkArgument(
                actual.getOrder().equals(expected.getOrder())
                        && actual.getCurve().equals(expected.getCurve())
                        && actual.getGenerator().equals(expected.getGenerator()),
                "EC key %s: not on %s (expected: the curve %s names)",
                kid,
                algorithm.curve(),
                algorithm);
        checkArgument(
                EcCurves.isOnCurve(key.getW(), expected), "EC key %s: the point is not on %s", kid, algorithm.curve());
        Algorithm verifier = switch (algorithm) {
            case ES256 -> Algorithm.ECDSA256(key, null);
            case ES384 -> Algorithm.ECDSA384(key, null);
            default -> Algorithm.ECDSA512(key, null);
        };
        return new JwtKey(kidOf(kid), algorithm, verifier);
    }

    /**
     * An Ed25519 public key for EdDSA (RFC 8037).
     *
     * @throws IllegalArgumentException for an Ed448 key, a point off the curve or a point of small order
     */
    public static JwtKey eddsa(@Nullable String kid, EdECPublicKey key) {
        String curve = key.getParams().getName();
        checkArgument("Ed25519".equalsIgnoreCase(curve), "EdDSA key %s: curve %s (expected: Ed25519)", kid, curve);
        Ed25519.checkPoint("EdDSA key " + kid, key.getPoint());
        return new JwtKey(
                kidOf(kid), JwtAlgorithm.EdDSA, jwt -> Ed25519.verify(key, signingInput(jwt), signature(jwt)));
    }

    /**
     * A public key from PEM text ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo): RSA for RS and
     * PS algorithms, EC for ES, Ed25519 for EdDSA.
     */
    public static JwtKey fromPem(@Nullable String kid, JwtAlgorithm algorithm, String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        checkArgument(
                pem.contains("-----BEGIN PUBLIC KEY-----") && !base64.isEmpty(),
                "PEM key %s: no PUBLIC KEY block (expected: -----BEGIN PUBLIC KEY-----)",
                kid);
        checkArgument(algorithm.family() != JwtAlgorithm.Family.HMAC, "PEM key %s: %s needs a secret", kid, algorithm);
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM key " + kid + ": invalid base64", e);
        }
        String type = switch (algorithm.family()) {
            case RSA -> "RSA";
            case EC -> "EC";
            default -> "EdDSA";
        };
        PublicKey key;
        try {
            key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PEM key " + kid + ": not a " + algorithm + " public key", e);
        }
        if (key instanceof RSAPublicKey rsa) {
            return rsa(kid, algorithm, rsa);
        }
        if (key instanceof EdECPublicKey edec) {
            return eddsa(kid, edec);
        }
        return ec(kid, algorithm, (ECPublicKey) key);
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

    /**
     * Whether {@code jwt} carries a valid signature by this key. False for any signature that is not, including
     * malformed ones (wrong length, bad base64url); it does not look at the token's {@code alg}.
     */
    boolean verifies(DecodedJWT jwt) {
        try {
            return signature.verifies(jwt);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] signingInput(DecodedJWT jwt) {
        return (jwt.getHeader() + "." + jwt.getPayload()).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] signature(DecodedJWT jwt) {
        return Base64.getUrlDecoder().decode(jwt.getSignature());
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
