package dev.gatehouse.config;

import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Credentials Gatehouse accepts (JWTs, opaque tokens checked by introspection, API keys, client certificates), and
 * the headers that pass the principal to the service. A request is decided by its token, else its API key, else
 * its client certificate. API keys come in {@code X-Api-Key} unless {@code apiKeyHeader} names another field, and
 * also in the query parameter {@code apiKeyQueryParameter} names, when set (off: URLs are logged by every proxy).
 */
public record AuthConfig(
        @Nullable JwtConfig jwt,
        @Nullable List<ApiKeyConfig> apiKeys,
        @Nullable IdentityHeadersConfig identityHeaders,
        @Nullable ClientCertificatesConfig clientCertificates,
        @Nullable IntrospectionConfig introspection,
        @Nullable String apiKeyHeader,
        @Nullable String apiKeyQueryParameter) {
    public AuthConfig {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        if (jwt == null && apiKeys.isEmpty() && clientCertificates == null && introspection == null) {
            throw new IllegalArgumentException(
                    "no credentials (expected: jwt, introspection, apiKeys or clientCertificates)");
        }
        if (apiKeyHeader != null) {
            if (apiKeys.isEmpty()) {
                throw new IllegalArgumentException("apiKeyHeader " + apiKeyHeader + " without apiKeys");
            }
            Headers.checkName(apiKeyHeader);
        }
        if (apiKeyQueryParameter != null && (apiKeys.isEmpty() || apiKeyQueryParameter.isBlank())) {
            throw new IllegalArgumentException(
                    "apiKeyQueryParameter " + apiKeyQueryParameter + " (expected: a parameter name, with apiKeys)");
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
