package dev.gatehouse.config;

import dev.gatehouse.auth.IntrospectionAuthenticator;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Opaque bearer tokens checked by RFC 7662 introspection: the endpoint, how the gateway authenticates to it
 * ({@code clientId} and {@code clientSecret} for client_secret_basic, or its own {@code bearerToken}), the call's
 * {@code timeout} (2s), how long a pass ({@code cacheTtl}, 5m, never past the token's exp) and a refusal ({@code
 * negativeCacheTtl}, 10s) are remembered, the {@code issuer} and {@code audiences} required if any, and what a
 * request gets when the endpoint cannot answer: {@code onFailure: 503} (the default, with {@code retryAfter}, 5s)
 * or {@code 401}; and the answer's members that name the principal's tenant and plan ({@code tenantMember}, {@code
 * planMember}: {@code tenant} and {@code plan}); the longest token sent to the endpoint ({@code maxTokenLength},
 * 4096: longer ones are 401 without a call) and how many verdicts are remembered ({@code cacheSize}, 10000).
 */
public record IntrospectionConfig(
        String endpoint,
        @Nullable String clientId,
        @Nullable String clientSecret,
        @Nullable String bearerToken,
        @Nullable String timeout,
        @Nullable String cacheTtl,
        @Nullable String negativeCacheTtl,
        @Nullable String issuer,
        @Nullable List<String> audiences,
        @Nullable String onFailure,
        @Nullable String retryAfter,
        @Nullable String tenantMember,
        @Nullable String planMember,
        @Nullable Integer maxTokenLength,
        @Nullable Long cacheSize) {
    public IntrospectionConfig {
        if (endpoint == null) {
            throw new IllegalArgumentException("endpoint missing (expected: the introspection URL)");
        }
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        if ((clientId == null) != (clientSecret == null)) {
            throw new IllegalArgumentException("clientId and clientSecret: one without the other (expected: both)");
        }
        if ((clientId == null) == (bearerToken == null)) {
            throw new IllegalArgumentException(
                    "client authentication (expected: clientId and clientSecret, or bearerToken; one of them)");
        }
        if (onFailure != null && !onFailure.equals("503") && !onFailure.equals("401")) {
            throw new IllegalArgumentException("onFailure " + onFailure + " (expected: 503 or 401)");
        }
        if ((tenantMember != null && tenantMember.isBlank()) || (planMember != null && planMember.isBlank())) {
            throw new IllegalArgumentException("tenantMember and planMember: empty (expected: a member name)");
        }
        if (maxTokenLength != null && (maxTokenLength < 16 || maxTokenLength > 65536)) {
            throw new IllegalArgumentException("maxTokenLength " + maxTokenLength + " (expected: 16..65536)");
        }
        if (cacheSize != null && cacheSize < 1) {
            throw new IllegalArgumentException("cacheSize " + cacheSize + " (expected: 1 or more)");
        }
        // Every value is checked as the authenticator will read it, so that a bad one is reported where it is.
        builder(
                endpoint,
                clientId,
                clientSecret,
                bearerToken,
                timeout,
                cacheTtl,
                negativeCacheTtl,
                issuer,
                audiences,
                onFailure,
                retryAfter,
                cacheSize);
    }

    /** The authenticator this section describes. */
    public IntrospectionAuthenticator authenticator() {
        return builder(
                        endpoint,
                        clientId,
                        clientSecret,
                        bearerToken,
                        timeout,
                        cacheTtl,
                        negativeCacheTtl,
                        issuer,
                        audiences,
                        onFailure,
                        retryAfter,
                        cacheSize)
                .members(tenantMember == null ? "tenant" : tenantMember, planMember == null ? "plan" : planMember)
                .maxTokenLength(maxTokenLength == null ? 4096 : maxTokenLength)
                .build();
    }

    private static IntrospectionAuthenticator.Builder builder(
            String endpoint,
            @Nullable String clientId,
            @Nullable String clientSecret,
            @Nullable String bearerToken,
            @Nullable String timeout,
            @Nullable String cacheTtl,
            @Nullable String negativeCacheTtl,
            @Nullable String issuer,
            List<String> audiences,
            @Nullable String onFailure,
            @Nullable String retryAfter,
            @Nullable Long cacheSize) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint " + endpoint + " (expected: an http or https URL)");
        }
        IntrospectionAuthenticator.Builder builder = IntrospectionAuthenticator.builder(uri);
        if (clientId != null && clientSecret != null) {
            builder.clientSecretBasic(clientId, clientSecret);
        } else if (bearerToken != null) {
            builder.bearerToken(bearerToken);
        }
        if (timeout != null) {
            builder.timeout(ConfigValues.duration(timeout));
        }
        builder.cache(
                ConfigValues.duration(cacheTtl == null ? "5m" : cacheTtl),
                ConfigValues.duration(negativeCacheTtl == null ? "10s" : negativeCacheTtl),
                cacheSize == null ? 10_000 : cacheSize);
        if (issuer != null) {
            builder.issuer(issuer);
        }
        audiences.forEach(builder::audience);
        builder.onEndpointFailure(
                "401".equals(onFailure)
                        ? IntrospectionAuthenticator.EndpointFailureMode.INVALID_TOKEN
                        : IntrospectionAuthenticator.EndpointFailureMode.SERVICE_UNAVAILABLE,
                ConfigValues.duration(retryAfter == null ? "5s" : retryAfter));
        return builder;
    }

    @Override
    public String toString() {
        return "IntrospectionConfig[" + endpoint + "]";
    }
}
