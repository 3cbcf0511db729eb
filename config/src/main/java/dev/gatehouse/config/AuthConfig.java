package dev.gatehouse.config;

import dev.gatehouse.IdentityHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Credentials Gatehouse accepts (JWTs, API keys, client certificates), and the headers that pass the principal to the service. */
public record AuthConfig(
        @Nullable JwtConfig jwt,
        @Nullable List<ApiKeyConfig> apiKeys,
        @Nullable IdentityHeadersConfig identityHeaders) {
    public AuthConfig {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        if (jwt == null && apiKeys.isEmpty()) {
            throw new IllegalArgumentException("no credentials (expected: jwt or apiKeys)");
        }
    }

    public IdentityHeaders identityHeadersOrDefault() {
        return identityHeaders == null ? IdentityHeaders.defaults() : identityHeaders.toIdentityHeaders();
    }
}
