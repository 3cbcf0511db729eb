package dev.gatehouse.config;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.auth.JwksKeySource;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One issuer: its keys from a JWKS URL, or listed under {@code keys}, or (one key) from {@code hs256Secret}
 * (base64) or {@code publicKeyPem} with {@code alg} and an optional {@code kid}. A JWKS is fetched within {@code
 * jwksTimeout}, refreshed every {@code jwksRefresh}, and fetched again for an unknown {@code kid} at most every
 * {@code jwksMinRefetch}, and refused when larger than {@code jwksMaxSize} (the key source's defaults unless
 * set: 2s, 5m, 10s, 256KiB).
 */
public record IssuerConfig(
        String issuer,
        @Nullable String jwks,
        @Nullable List<KeyConfig> keys,
        @Nullable String hs256Secret,
        @Nullable String publicKeyPem,
        @Nullable String alg,
        @Nullable String kid,
        @Nullable String jwksTimeout,
        @Nullable String jwksRefresh,
        @Nullable String jwksMinRefetch,
        @Nullable String jwksMaxSize) {
    private static boolean loopback(String url) {
        String host;
        try {
            host = java.net.URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        return host != null
                && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

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
        if (jwks != null && !jwks.startsWith("https://") && !(jwks.startsWith("http://") && loopback(jwks))) {
            // Keys fetched in clear text can be replaced on the way, and whoever replaces them mints tokens. Plain
            // HTTP only to this machine (a local key server, a test).
            throw new IllegalArgumentException(
                    "jwks " + jwks + " (expected: an https:// URL; http:// only on a loopback address)");
        }
        if ((jwksTimeout != null || jwksRefresh != null || jwksMinRefetch != null || jwksMaxSize != null)
                && jwks == null) {
            throw new IllegalArgumentException(
                    "issuer " + issuer + ": jwksTimeout, jwksRefresh, jwksMinRefetch and jwksMaxSize go with jwks");
        }
        // Checked here, as the key source will read them, so that a bad one is reported where it is written; the
        // source itself is built only for the chain (it holds an HTTP client).
        if (jwksTimeout != null && ConfigValues.duration(jwksTimeout).isZero()) {
            throw new IllegalArgumentException("jwksTimeout " + jwksTimeout + " (expected: more than 0)");
        }
        if (jwksRefresh != null && ConfigValues.duration(jwksRefresh).compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("jwksRefresh " + jwksRefresh + " (expected: at least 1s)");
        }
        if (jwksMinRefetch != null) {
            ConfigValues.duration(jwksMinRefetch);
        }
        if (jwksMaxSize != null) {
            jwksMaxBytes(jwksMaxSize);
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

    /** The JWKS key source of a {@code jwks} issuer, with its fetch timeout and refresh intervals. */
    JwksKeySource jwksSource() {
        JwksKeySource.Builder builder = JwksKeySource.builder(URI.create(requireNonNull(jwks, "jwks")));
        if (jwksTimeout != null) {
            builder.timeout(ConfigValues.duration(jwksTimeout));
        }
        if (jwksRefresh != null) {
            builder.refreshInterval(ConfigValues.duration(jwksRefresh));
        }
        if (jwksMinRefetch != null) {
            builder.minRefetchInterval(ConfigValues.duration(jwksMinRefetch));
        }
        if (jwksMaxSize != null) {
            builder.maxDocumentBytes(jwksMaxBytes(jwksMaxSize));
        }
        return builder.build();
    }

    private static int jwksMaxBytes(String size) {
        long bytes = ConfigValues.size(size);
        if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("jwksMaxSize " + size + " (expected: 1KiB..16MiB)");
        }
        return (int) bytes;
    }
}
