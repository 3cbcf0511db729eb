package dev.gatehouse.config;

import dev.gatehouse.IdentityHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Credentials Gatehouse accepts (JWTs, opaque tokens checked by introspection, API keys), and the headers that pass the principal to the service. */
public record AuthConfig(
        @Nullable JwtConfig jwt,
        @Nullable List<ApiKeyConfig> apiKeys,
        @Nullable IdentityHeadersConfig identityHeaders,
        @Nullable IntrospectionConfig introspection) {
    public AuthConfig {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        if (jwt == null && apiKeys.isEmpty() && introspection == null) {
            throw new IllegalArgumentException("no credentials (expected: jwt, introspection or apiKeys)");
        }
        if (jwt != null && introspection != null) {
            throw new IllegalArgumentException(
                    "jwt and introspection both read Bearer tokens (expected: one of them; the first would decide)");
        }
    }

    public IdentityHeaders identityHeadersOrDefault() {
        return identityHeaders == null ? IdentityHeaders.defaults() : identityHeaders.toIdentityHeaders();
    }
}
