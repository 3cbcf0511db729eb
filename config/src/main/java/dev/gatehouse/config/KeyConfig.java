package dev.gatehouse.config;

import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A static verification key: an HMAC {@code secret} (base64) for HS256/384/512, or a {@code publicKeyPem}
 * for RS, PS, ES (256/384/512) or EdDSA; {@code alg} pins it; {@code kid} optional on every kind.
 */
public record KeyConfig(
        @Nullable String kid,
        String alg,
        @Nullable String secret,
        @Nullable String publicKeyPem) {
    private static final String ALGORITHMS =
            Arrays.stream(JwtAlgorithm.values()).map(Enum::name).collect(Collectors.joining(", "));

    public KeyConfig {
        if (alg == null) {
            throw new IllegalArgumentException("alg missing (expected: " + ALGORITHMS + ")");
        }
        if ((secret == null) == (publicKeyPem == null)) {
            throw new IllegalArgumentException("key " + kid + ": give exactly one of secret, publicKeyPem");
        }
        jwtKey(kid, alg, secret, publicKeyPem); // checked here, so that a bad key is reported where it is written
    }

    /** The core key this describes. */
    public JwtKey toJwtKey() {
        return jwtKey(kid, alg, secret, publicKeyPem);
    }

    private static JwtKey jwtKey(
            @Nullable String kid, String alg, @Nullable String secret, @Nullable String publicKeyPem) {
        JwtAlgorithm algorithm;
        try {
            algorithm = JwtAlgorithm.valueOf(alg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("alg " + alg + " (expected: " + ALGORITHMS + ")");
        }
        if (secret != null) {
            if (algorithm.family() != JwtAlgorithm.Family.HMAC) {
                throw new IllegalArgumentException("alg " + alg + " with a secret (expected: HS256, HS384, HS512)");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(secret.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("secret: not base64 (" + e.getMessage() + ")");
            }
            return JwtKey.hmac(kid, algorithm, bytes);
        }
        return JwtKey.fromPem(kid, algorithm, publicKeyPem);
    }
}
