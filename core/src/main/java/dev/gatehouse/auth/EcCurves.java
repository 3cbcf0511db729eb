package dev.gatehouse.auth;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;

/** The NIST curves of the ES algorithms, and the point check the JDK's {@code KeyFactory} leaves out. */
final class EcCurves {
    private EcCurves() {}

    /** The parameters of a JWK curve name: P-256, P-384 or P-521. */
    static ECParameterSpec named(String name) {
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
}
