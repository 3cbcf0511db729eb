package dev.gatehouse.config;

import dev.gatehouse.auth.ApiKeyAuthenticator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An API key, by the SHA-256 of the key in hex (never the key itself), with its owner, its plan (which rate
 * limits may key on) and its scopes.
 */
public record ApiKeyConfig(
        String sha256, String owner, String plan, @Nullable List<String> scopes) {
    public ApiKeyConfig {
        if (sha256 == null || sha256.length() != 64 || !isHex(sha256)) {
            throw new IllegalArgumentException(
                    "sha256 " + sha256 + " (expected: 64 hex digits, the SHA-256 of the key; never the key itself)");
        }
        if (owner == null) {
            throw new IllegalArgumentException("owner missing (expected: who holds the key)");
        }
        if (plan == null) {
            throw new IllegalArgumentException("plan missing (expected: e.g. free)");
        }
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        // Checked here (owner, plan and scopes become header values), so that a bad value is reported where it is.
        ApiKeyAuthenticator.builder().keyDigest(sha256, owner, plan, Set.copyOf(scopes));
    }

    private static boolean isHex(String text) {
        try {
            HexFormat.of().parseHex(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
