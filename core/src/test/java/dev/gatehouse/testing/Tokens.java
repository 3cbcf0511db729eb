package dev.gatehouse.testing;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds JWTs by hand with the JDK's own crypto, including the malformed and hostile ones that JWT libraries
 * refuse to mint. Header and payload are given as JSON text, exactly as they go on the wire.
 */
public final class Tokens {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Tokens() {}

    public static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String b64(byte[] bytes) {
        return BASE64URL.encodeToString(bytes);
    }

    /** {@code base64url(header).base64url(payload)}: the JWS signing input. */
    public static String signingInput(String header, String payload) {
        return b64(header) + "." + b64(payload);
    }

    public static String withSignature(String header, String payload, byte[] signature) {
        return signingInput(header, payload) + "." + b64(signature);
    }

    /** HS256, HS384 or HS512 over the exact JSON given. */
    public static String hmac(String alg, byte[] secret, String header, String payload) {
        String input = signingInput(header, payload);
        String macName = "Hmac" + hashOf(alg);
        try {
            Mac mac = Mac.getInstance(macName);
            mac.init(new SecretKeySpec(secret, macName));
            return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RS256, RS384 or RS512 (PKCS#1 v1.5). */
    public static String rsa(String alg, PrivateKey key, String header, String payload) {
        String input = signingInput(header, payload);
        return input + "." + b64(sign(hashOf(alg) + "withRSA", key, input));
    }

    /** PS256 (RSASSA-PSS, salt as long as the hash). */
    public static String pss(PrivateKey key, String header, String payload) {
        return pss("PS256", key, 32, header, payload);
    }

    /** PS256, PS384 or PS512 with MGF1 over the same hash and a salt of {@code saltLength} bytes. */
    public static String pss(String alg, PrivateKey key, int saltLength, String header, String payload) {
        String input = signingInput(header, payload);
        String hash = "SHA-" + alg.substring(2);
        try {
            Signature signature = Signature.getInstance("RSASSA-PSS");
            signature.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, 1));
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** EdDSA with an Ed25519 (or, to test refusals, Ed448) private key. */
    public static String eddsa(PrivateKey key, String header, String payload) {
        String input = signingInput(header, payload);
        return input + "." + b64(sign("EdDSA", key, input));
    }

    /** {@code key} as PEM text: {@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo. */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** {@code Ed25519} or {@code Ed448}. */
    public static KeyPair edKeyPair(String curve) {
        try {
            return KeyPairGenerator.getInstance(curve).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ES256, ES384 or ES512 with the JOSE (P1363, r‖s) signature encoding. */
    public static String ec(String alg, PrivateKey key, String header, String payload) {
        String input = signingInput(header, payload);
        return input + "." + b64(p1363(ecDer(alg, key, input), ecSize(alg)));
    }

    /** ES256 and friends, but with the ASN.1 DER signature encoding that JOSE forbids. */
    public static String ecWithDerSignature(String alg, PrivateKey key, String header, String payload) {
        String input = signingInput(header, payload);
        return input + "." + b64(ecDer(alg, key, input));
    }

    public static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code secp256r1}, {@code secp384r1} or {@code secp521r1}. */
    public static KeyPair ecKeyPair(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The unsigned big-endian bytes of {@code value}, left-padded to {@code size}. */
    public static byte[] unsigned(BigInteger value, int size) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > size) {
            return Arrays.copyOfRange(bytes, bytes.length - size, bytes.length);
        }
        byte[] padded = new byte[size];
        System.arraycopy(bytes, 0, padded, size - bytes.length, bytes.length);
        return padded;
    }

    private static byte[] ecDer(String alg, PrivateKey key, String input) {
        return sign(hashOf(alg) + "withECDSA", key, input);
    }

    private static int ecSize(String alg) {
        return switch (alg) {
            case "ES256" -> 32;
            case "ES384" -> 48;
            default -> 66;
        };
    }

    /** DER SEQUENCE { INTEGER r, INTEGER s } to r‖s of fixed size. */
    private static byte[] p1363(byte[] der, int size) {
        int offset = der[1] == (byte) 0x81 ? 3 : 2;
        int rLength = der[offset + 1];
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(der, offset + 2, offset + 2 + rLength));
        int sStart = offset + 2 + rLength;
        int sLength = der[sStart + 1];
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(der, sStart + 2, sStart + 2 + sLength));
        byte[] out = new byte[2 * size];
        System.arraycopy(unsigned(r, size), 0, out, 0, size);
        System.arraycopy(unsigned(s, size), 0, out, size, size);
        return out;
    }

    private static byte[] sign(String algorithm, PrivateKey key, String input) {
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hashOf(String alg) {
        return "SHA" + alg.substring(2);
    }
}
