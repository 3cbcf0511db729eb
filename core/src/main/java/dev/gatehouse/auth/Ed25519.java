package dev.gatehouse.auth;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;

/**
 * Ed25519 (RFC 8032) with the JDK's provider (Java 15+): java-jwt has no EdDSA. Public keys are checked when
 * they are made (a point on the curve, not of small order, which would let anyone sign), signatures when they
 * are verified (64 bytes, {@code S} below the group order: RFC 8032 §5.1.7 and no malleated copies).
 */
final class Ed25519 {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger D = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P))
            .mod(P);
    private static final BigInteger SQRT_M1 =
            BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
    /** The order of the base point. */
    static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    static final int KEY_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;

    private Ed25519() {}

    /**
     * The public key whose RFC 8032 encoding (a JWK's {@code x}) is {@code encoded}.
     *
     * @throws IllegalArgumentException when it is not 32 bytes or not an acceptable point
     */
    static EdECPublicKey publicKey(String name, byte[] encoded) {
        if (encoded.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                    name + ": x of " + encoded.length + " bytes (expected: " + KEY_BYTES + " for Ed25519)");
        }
        boolean xOdd = (encoded[KEY_BYTES - 1] & 0x80) != 0;
        byte[] bigEndian = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[i] = encoded[KEY_BYTES - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, bigEndian));
        checkPoint(name, point);
        try {
            return (EdECPublicKey) KeyFactory.getInstance("Ed25519")
                    .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(name + ": not an Ed25519 public key", e);
        }
    }

    /** Refuses points that are not on the curve, non-canonical encodings and points of small order. */
    static void checkPoint(String name, EdECPoint point) {
        BigInteger y = point.getY();
        if (y.signum() < 0 || y.compareTo(P) >= 0) {
            throw new IllegalArgumentException(name + ": y is not below 2^255 - 19 (a non-canonical encoding)");
        }
        BigInteger x = recoverX(y, point.isXOdd());
        if (x == null) {
            throw new IllegalArgumentException(name + ": the point is not on Ed25519");
        }
        BigInteger[] multiple = {x, y};
        for (int i = 0; i < 3; i++) {
            multiple = add(multiple, multiple);
        }
        if (multiple[0].signum() == 0 && multiple[1].equals(BigInteger.ONE)) {
            throw new IllegalArgumentException(name + ": a point of small order (anyone could sign for it)");
        }
    }

    /**
     * Whether {@code signature} is a valid Ed25519 signature of {@code input}. False, never an exception, for a
     * signature of the wrong length, with {@code S} not below the group order, or that the provider rejects.
     */
    static boolean verify(PublicKey key, byte[] input, byte[] signature) {
        if (signature.length != SIGNATURE_BYTES || !sBelowOrder(signature)) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(input);
            return verifier.verify(signature);
        } catch (SignatureException | InvalidKeyException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    }

    /** {@code S}, the little-endian second half of the signature, is below L. */
    private static boolean sBelowOrder(byte[] signature) {
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) {
            bigEndian[i] = signature[SIGNATURE_BYTES - 1 - i];
        }
        return new BigInteger(1, bigEndian).compareTo(L) < 0;
    }

    /** x from y and its parity (RFC 8032 §5.1.3), or null when there is none. */
    private static BigInteger recoverX(BigInteger y, boolean xOdd) {
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
        BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
        BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
        if (!x.multiply(x).mod(P).equals(x2)) {
            x = x.multiply(SQRT_M1).mod(P);
            if (!x.multiply(x).mod(P).equals(x2)) {
                return null;
            }
        }
        if (x.signum() == 0 && xOdd) {
            return null;
        }
        return x.testBit(0) == xOdd ? x : P.subtract(x);
    }

    /** Point addition on -x² + y² = 1 + d·x²·y² (complete for points of the curve). */
    private static BigInteger[] add(BigInteger[] a, BigInteger[] b) {
        BigInteger x1y2 = a[0].multiply(b[1]);
        BigInteger y1x2 = a[1].multiply(b[0]);
        BigInteger x1x2 = a[0].multiply(b[0]);
        BigInteger y1y2 = a[1].multiply(b[1]);
        BigInteger dxy = D.multiply(x1x2).multiply(y1y2).mod(P);
        BigInteger x3 =
                x1y2.add(y1x2).multiply(BigInteger.ONE.add(dxy).modInverse(P)).mod(P);
        BigInteger y3 = y1y2.add(x1x2)
                .multiply(BigInteger.ONE.subtract(dxy).mod(P).modInverse(P))
                .mod(P);
        return new BigInteger[] {x3, y3};
    }
}
