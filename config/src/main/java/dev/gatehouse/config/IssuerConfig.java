package dev.gatehouse.config;

import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One issuer: its keys from a JWKS URL, or listed under {@code keys}, or (one key) from {@code hs256Secret}
 * (base64) or {@code publicKeyPem} with {@code alg} and an optional {@code kid}.
 */
public record IssuerConfig(
        String issuer,
        @Nullable String jwks,
        @Nullable List<KeyConfig> keys,
        @Nullable String hs256Secret,
        @Nullable String publicKeyPem,
        @Nullable String alg,
        @Nullable String kid) {
    public IssuerConfig {
        if (issuer == null || issuer.isEmpty()) {
            throw new IllegalArgumentException("issuer missing (expected: the exact iss value)");
        }
        int sources = (jwks == null ? 0 : 1)
                + (keys == null ? 0 : 1)
                + (hs256Secret == null ? 0 : 1)
                + (publicKeyPem == null ? 0 : 1);
        if (sources != 1) {
            throw new IllegalArgumentException(
                    "issuer " + issuer + ": give exactly one of jwks, keys, hs256Secret, publicKeyPem");
        }
        if ((alg != null || kid != null) && (jwks != null || keys != null)) {
            throw new IllegalArgumentException(
                    "issuer " + issuer + ": alg and kid go with hs256Secret or publicKeyPem (or on each of keys)");
        }
        if (jwks != null && !jwks.startsWith("https://") && !jwks.startsWith("http://")) {
            throw new IllegalArgumentException("jwks " + jwks + " (expected: an https:// URL)");
        }
        keys = keys == null ? null : List.copyOf(keys);
        // Built here, so that a bad key is reported where it is written.
        staticKeys(keys, hs256Secret, publicKeyPem, alg, kid);
    }

    /** The issuer's static keys; empty when they come from a JWKS URL. */
    public List<JwtKey> staticKeys() {
        return staticKeys(keys, hs256Secret, publicKeyPem, alg, kid);
    }

    private static List<JwtKey> staticKeys(
            @Nullable List<KeyConfig> keys,
            @Nullable String hs256Secret,
            @Nullable String publicKeyPem,
            @Nullable String alg,
            @Nullable String kid) {
        if (keys != null) {
            List<JwtKey> built = keys.stream().map(KeyConfig::toJwtKey).toList();
            KeySet.of(built);
            return built;
        }
        if (hs256Secret != null) {
            return List.of(new KeyConfig(kid, alg == null ? "HS256" : alg, hs256Secret, null).toJwtKey());
        }
        if (publicKeyPem != null) {
            return List.of(new KeyConfig(kid, alg == null ? "RS256" : alg, null, publicKeyPem).toJwtKey());
        }
        return List.of();
    }
}
