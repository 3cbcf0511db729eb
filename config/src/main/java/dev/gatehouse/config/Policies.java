package dev.gatehouse.config;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.Principal;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.auth.KeySource;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.ratelimit.ResilientBucketStore;
import dev.gatehouse.ratelimit.StoreFailureMode;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The policies that the larger parts of the configuration describe: authentication, rate limits, compression. */
final class Policies {
    private Policies() {}

    /**
     * What a core builder builds; a setting it misses or a combination it refuses ({@link IllegalStateException})
     * is a bad configuration value like any other.
     */
    static <T> T built(java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The route's authentication; a JWT's {@code templateClaims} are kept for the header templates that read them. */
    static AuthPolicy auth(AuthConfig auth, boolean optional, Set<String> templateClaims) {
        IdentityHeaders identityHeaders = auth.identityHeadersOrDefault();
        AuthPolicy.Builder builder = AuthPolicy.builder().identityHeaders(identityHeaders);
        JwtConfig jwt = auth.jwt();
        if (jwt != null) {
            JwtAuthenticator.Builder authenticator = JwtAuthenticator.builder().claimsFor(identityHeaders);
            templateClaims.forEach(authenticator::claim);
            for (String audience : jwt.audiences()) {
                authenticator.audience(audience);
            }
            if (jwt.leeway() != null) {
                authenticator.leeway(ConfigValues.duration(jwt.leeway()));
            }
            for (IssuerConfig issuer : jwt.issuers()) {
                authenticator.issuer(issuer.issuer(), keys(issuer));
            }
            if (Boolean.TRUE.equals(jwt.requireAccessTokenType())) {
                authenticator.requireAccessTokenType();
            }
            if (jwt.tenantClaim() != null) {
                authenticator.tenantClaim(jwt.tenantClaim());
            }
            if (jwt.planClaim() != null) {
                authenticator.planClaim(jwt.planClaim());
            }
            if (jwt.maxTokenLength() != null) {
                authenticator.maxTokenLength(jwt.maxTokenLength());
            }
            if (Boolean.TRUE.equals(jwt.allowQueryParameter())) {
                authenticator.allowQueryParameter();
            }
            if (jwt.maxClaimLength() != null) {
                authenticator.maxClaimLength(jwt.maxClaimLength());
            }
            if (jwt.cacheTtl() != null || jwt.cacheSize() != null) {
                authenticator.cache(
                        ConfigValues.duration(jwt.cacheTtl() == null ? "5m" : jwt.cacheTtl()),
                        jwt.cacheSize() == null ? 10_000 : jwt.cacheSize());
            }
            builder.authenticator(authenticator.build());
        }
        if (auth.introspection() != null) {
            builder.authenticator(auth.introspection().authenticator());
        }
        if (!auth.apiKeys().isEmpty()) {
            ApiKeyAuthenticator.Builder keys = ApiKeyAuthenticator.builder();
            if (auth.apiKeyHeader() != null) {
                keys.header(auth.apiKeyHeader());
            }
            if (auth.apiKeyQueryParameter() != null) {
                keys.allowQueryParameter(auth.apiKeyQueryParameter());
            }
            for (ApiKeyConfig key : auth.apiKeys()) {
                keys.keyDigest(key.sha256(), key.owner(), key.plan(), Set.copyOf(key.scopes()));
            }
            builder.authenticator(keys.build());
        }
        if (auth.clientCertificates() != null) {
            builder.authenticator(auth.clientCertificates().authenticator());
        }
        if (optional) {
            builder.optional();
        }
        return builder.build();
    }

    private static KeySource keys(IssuerConfig issuer) {
        if (issuer.jwks() != null) {
            return issuer.jwksSource();
        }
        return KeySet.of(issuer.staticKeys());
    }

    static RateLimitPolicy rateLimit(RateLimitConfig limits, BucketStore buckets, ClientAddress clients, String scope) {
        RateLimitPolicy.Builder builder =
                RateLimitPolicy.builder().limits(limits(limits)).store(buckets).scope(scope);
        for (Map.Entry<String, RateLimitConfig> plan : limits.plans().entrySet()) {
            builder.plan(plan.getKey(), limits(plan.getValue()));
        }
        if (limits.cost() != null) {
            long cost = limits.cost();
            builder.cost(exchange -> cost);
        }
        if (limits.denyMissingKey()) {
            builder.denyMissingKey();
        }
        if ("legacy".equals(limits.headers())) {
            builder.legacyHeaders();
        }
        if (Boolean.TRUE.equals(limits.shadow())) {
            builder.shadow();
        }
        if (limits.onStoreFailure() != null || limits.storeBreakerWindow() != null) {
            ResilientBucketStore.Builder resilient = ResilientBucketStore.builder(buckets);
            if (limits.onStoreFailure() != null) {
                resilient.onFailure(
                        switch (limits.onStoreFailure()) {
                            case "closed" -> StoreFailureMode.CLOSED;
                            case "local" -> StoreFailureMode.LOCAL_FALLBACK;
                            default -> StoreFailureMode.OPEN;
                        });
            }
            if (limits.storeBreakerWindow() != null) {
                resilient.breakerWindow(ConfigValues.duration(limits.storeBreakerWindow()));
            }
            builder.store(resilient.build());
        }
        return builder.key(key(limits.key(), clients, limits.denyMissingKey())).build();
    }

    /**
     * The bucket key a rate limit names; see {@link RateLimitConfig}. A request without it gets no key when {@code
     * deny} (the policy refuses it), else a key it shares with every such request (or, for a principal, its
     * address).
     */
    private static RateLimitKey key(String name, ClientAddress clients, boolean deny) {
        RateLimitKey address = RateLimitKey.clientAddress(clients);
        if (name.startsWith("header:")) {
            String header = name.substring("header:".length());
            return RateLimitKey.of(exchange -> exchange.requestHeaders()
                    .first(header)
                    .map(value -> "header:" + value)
                    .or(() -> deny ? Optional.empty() : Optional.of("header-missing")));
        }
        return switch (name) {
            case "principal" ->
                deny ? RateLimitKey.principal() : RateLimitKey.principal().orElse(address);
            case "apiKey" ->
                RateLimitKey.of(exchange -> Principal.of(exchange)
                        .filter(principal -> principal.method().equals("api-key"))
                        .map(principal -> "api-key:" + principal.subject())
                        .or(() -> deny ? Optional.empty() : Optional.of("api-key-missing")));
            case "route" -> RateLimitKey.route();
            case "plan" ->
                deny
                        ? RateLimitKey.plan()
                        : RateLimitKey.plan().orElse(RateLimitKey.of(exchange -> Optional.of("plan:none")));
            default -> address;
        };
    }

    private static Limit[] limits(RateLimitConfig limits) {
        return limits.limits().toArray(Limit[]::new);
    }

    static CompressionPolicy compression(CompressionConfig config) {
        CompressionPolicy.Builder builder = CompressionPolicy.builder();
        if (config.minSize() != null) {
            builder.minSize((int) Math.min(Integer.MAX_VALUE, ConfigValues.size(config.minSize())));
        }
        if (config.types() != null) {
            builder.compressTypes(config.types().toArray(String[]::new));
        }
        if (config.level() != null) {
            builder.level(config.level());
        }
        if (config.codings() != null) {
            builder.codings(config.codings().toArray(String[]::new));
        }
        if (config.skipTypes() != null) {
            builder.skipTypes(config.skipTypes().toArray(String[]::new));
        }
        if (config.poolSize() != null) {
            builder.poolSize(config.poolSize());
        }
        if (Boolean.TRUE.equals(config.skipCredentialed())) {
            builder.skipCredentialedRequests();
        }
        return builder.build();
    }
}
