package dev.gatehouse.examples.gateway;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwksKeySource;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.auth.ScopePolicy;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.compression.RequestDecompressionPolicy;
import dev.gatehouse.examples.backends.BuiltinBackends;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.metrics.MicrometerChainListener;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.LocalBucketStore;
import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.redis.RedisBucketStore;
import dev.gatehouse.redis.RedisIdempotencyStore;
import dev.gatehouse.requestid.RequestIdPolicy;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@link GatewayConfig} into routes and policy chains; owns the built-in backends and the Redis stores,
 * which are created once per Redis URL and kept across reloads.
 */
final class GatewayFactory implements AutoCloseable {
    private final RequestIdPolicy requestIds = RequestIdPolicy.ofDefaults();
    private final AccessLogPolicy accessLog = AccessLogPolicy.ofDefaults();
    private final ProxyHygienePolicy hygiene = new ProxyHygienePolicy();
    private final CompressionPolicy compression = CompressionPolicy.ofDefaults();
    private @Nullable BuiltinBackends builtins;
    private final Map<String, RedisStores> redis = new HashMap<>();
    private final @Nullable MicrometerChainListener metrics;
    private final @Nullable MeterRegistry registry;
    private final List<Meter> storeMeters = new ArrayList<>();
    private final Map<String, RateLimitPolicy> rateLimits = new LinkedHashMap<>();
    private final Map<String, IdempotencyPolicy> idempotency = new LinkedHashMap<>();
    private String storeKind = "local";
    private ClientAddress clients = ClientAddress.direct();

    /** One Redis URL's stores. */
    private record RedisStores(RedisBucketStore buckets, RedisIdempotencyStore records) {}

    /** With {@code registry} the chains record into Micrometer. */
    GatewayFactory(@Nullable MeterRegistry registry) {
        this.registry = registry;
        this.metrics = registry == null ? null : new MicrometerChainListener(registry);
    }

    /** What one configuration describes. */
    record Built(List<GatewayRoute> routes, List<Gateway.Aggregation> aggregations) {}

    /** The routes a configuration describes; stores and backends it needs are created once and reused. */
    synchronized Built build(GatewayConfig config) throws Exception {
        @Nullable AuthPolicy required = null;
        @Nullable AuthPolicy optional = null;
        if (config.auth() != null) {
            required = auth(config.auth(), false);
            optional = auth(config.auth(), true);
        }
        BucketStore buckets;
        IdempotencyStore records;
        if (config.redis() != null) {
            RedisStores stores = redis.get(config.redis());
            if (stores == null) {
                stores = new RedisStores(
                        RedisBucketStore.builder(config.redis()).build(),
                        RedisIdempotencyStore.builder(config.redis()).build());
                redis.put(config.redis(), stores);
            }
            buckets = stores.buckets();
            records = stores.records();
        } else {
            buckets = LocalBucketStore.ofDefaults();
            records = InMemoryIdempotencyStore.ofDefaults();
        }
        Map<String, RateLimitPolicy> newRateLimits = new LinkedHashMap<>();
        Map<String, IdempotencyPolicy> newIdempotency = new LinkedHashMap<>();
        List<GatewayRoute> routes = new ArrayList<>();
        ClientAddress clients = config.trustedProxies().isEmpty()
                ? ClientAddress.direct()
                : ClientAddress.trusting(config.trustedProxies().toArray(String[]::new));
        for (GatewayConfig.RouteConfig route : config.routes()) {
            PolicyChain.Builder chain = chain(clients);
            GatewayConfig.RateLimit limits = route.rateLimit();
            RateLimitPolicy limiter = limits == null ? null : rateLimit(limits, buckets, clients);
            if (limits != null && !limits.afterAuth()) {
                chain.add("ratelimit", limiter);
            }
            if (!route.auth().equals("none")) {
                if (required == null) {
                    throw new IllegalArgumentException(
                            "route " + route.path() + ": auth " + route.auth() + " but no auth: section");
                }
                chain.add("auth", route.auth().equals("required") ? required : optional);
            }
            if (!route.scopes().isEmpty()) {
                chain.add("scope", ScopePolicy.require(route.scopes().toArray(String[]::new)));
            }
            if (limits != null && limits.afterAuth()) {
                chain.add("ratelimit", limiter);
            }
            if (route.requestDecompression() != null
                    && route.requestDecompression().enabled()) {
                chain.add("request-decompression", decompression(route.requestDecompression()));
            }
            CompressionPolicy compressing = compression(route.compression());
            if (compressing != null) {
                chain.add("compression", compressing);
            }
            IdempotencyPolicy idempotent = idempotency(route.idempotency(), records, clients);
            if (idempotent != null) {
                chain.add("idempotency", idempotent);
            }
            if (Boolean.TRUE.equals(route.stripAuthorization())) {
                chain.add("strip-authorization", STRIP_AUTHORIZATION);
            }
            List<URI> upstreams = new ArrayList<>();
            for (String upstream : route.upstreams()) {
                upstreams.add(upstream.startsWith("builtin:") ? builtin() : URI.create(upstream));
            }
            GatewayRoute built = new GatewayRoute(
                    route.path(),
                    route.host(),
                    route.headers(),
                    upstreams,
                    chain.build(),
                    route.timeoutOrDefault(),
                    route.retries() == null ? 0 : route.retries(),
                    route.maxBodyBytes(),
                    route.requestBufferBytes(),
                    route.passiveHealth() == null
                            ? GatewayRoute.PassiveHealth.DEFAULT
                            : route.passiveHealth().toSettings(),
                    route.circuitBreaker() == null
                            ? null
                            : route.circuitBreaker().toSettings());
            routes.add(built);
            if (limiter != null) {
                newRateLimits.put(built.describe(), limiter);
            }
            if (idempotent != null) {
                newIdempotency.put(built.describe(), idempotent);
            }
        }
        List<Gateway.Aggregation> aggregations = new ArrayList<>();
        for (GatewayConfig.AggregationConfig aggregation : config.aggregations()) {
            PolicyChain.Builder chain = chain(clients);
            if (!aggregation.auth().equals("none")) {
                if (required == null) {
                    throw new IllegalArgumentException("aggregation " + aggregation.path() + ": auth "
                            + aggregation.auth() + " but no auth: section");
                }
                chain.add("auth", aggregation.auth().equals("required") ? required : optional);
            }
            if (!aggregation.scopes().isEmpty()) {
                chain.add("scope", ScopePolicy.require(aggregation.scopes().toArray(String[]::new)));
            }
            CompressionPolicy compressing = compression(aggregation.compression());
            if (compressing != null) {
                chain.add("compression", compressing);
            }
            Map<String, URI> parts = new LinkedHashMap<>();
            for (Map.Entry<String, String> part : aggregation.parts().entrySet()) {
                parts.put(part.getKey(), part(part.getValue()));
            }
            aggregations.add(
                    new Gateway.Aggregation(aggregation.path(), parts, chain.build(), aggregation.timeoutOrDefault()));
        }
        rateLimits.clear();
        rateLimits.putAll(newRateLimits);
        idempotency.clear();
        idempotency.putAll(newIdempotency);
        storeKind = config.redis() == null ? "local" : "redis";
        this.clients = clients;
        bindStoreHealth();
        return new Built(routes, aggregations);
    }

    private PolicyChain.Builder chain(ClientAddress clients) {
        PolicyChain.Builder chain = PolicyChain.builder()
                .add("request-id", requestIds)
                .add("client-address", new ClientAddressPolicy(clients))
                .add("access-log", accessLog)
                .add("proxy-hygiene", hygiene);
        if (metrics != null) {
            chain.listener(metrics);
        }
        return chain;
    }

    /** Store-health meters for the policies of the latest configuration (replacing those of the one before). */
    private void bindStoreHealth() {
        if (metrics == null || registry == null) {
            return;
        }
        storeMeters.forEach(registry::remove);
        storeMeters.clear();
        java.util.Set<Meter> before = new java.util.HashSet<>(registry.getMeters());
        rateLimits.forEach((name, policy) -> metrics.bindStoreHealth(name, policy.storeHealth()));
        idempotency.forEach((name, policy) -> metrics.bindStoreHealth(name, policy.storeHealth()));
        for (Meter meter : registry.getMeters()) {
            if (!before.contains(meter)) {
                storeMeters.add(meter);
            }
        }
    }

    /** For {@code /admin/status}: each store's kind and whether a policy found it down. */
    synchronized Map<String, Object> storeStatus() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put(
                "ratelimit",
                Map.of(
                        "kind",
                        storeKind,
                        "down",
                        rateLimits.values().stream()
                                .anyMatch(policy -> policy.storeHealth().down())));
        status.put(
                "idempotency",
                Map.of(
                        "kind",
                        storeKind.equals("redis") ? "redis" : "in-memory",
                        "down",
                        idempotency.values().stream()
                                .anyMatch(policy -> policy.storeHealth().down())));
        return status;
    }

    PolicyChain otherwise() {
        return chain(clients).build();
    }

    /** Removes the client's {@code Authorization} before the upstream, once the route's policies have used it. */
    private static final OffloadPolicy STRIP_AUTHORIZATION =
            exchange -> Decision.proceed(Headers.create(), List.of("Authorization"));

    private @Nullable CompressionPolicy compression(GatewayConfig.@Nullable Compression config) {
        if (config == null || !config.enabled()) {
            return null;
        }
        if (config.minSize() == null && config.types() == null && config.level() == null && config.codings() == null) {
            return compression;
        }
        CompressionPolicy.Builder builder = CompressionPolicy.builder();
        if (config.minSize() != null) {
            builder.minSize((int) Math.min(Integer.MAX_VALUE, GatewayConfig.size(config.minSize())));
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
        return builder.build();
    }

    private static @Nullable IdempotencyPolicy idempotency(
            GatewayConfig.@Nullable Idempotency config, IdempotencyStore records, ClientAddress clients) {
        if (config == null || !config.enabled()) {
            return null;
        }
        IdempotencyPolicy.Builder builder = IdempotencyPolicy.builder(records).clientAddress(clients);
        if (Boolean.TRUE.equals(config.required())) {
            builder.required();
        }
        if (config.methods() != null) {
            builder.methods(config.methods().toArray(String[]::new));
        }
        if (config.ttl() != null) {
            builder.ttl(GatewayConfig.duration(config.ttl()));
        }
        return builder.build();
    }

    private static RequestDecompressionPolicy decompression(GatewayConfig.Decompression config) {
        RequestDecompressionPolicy.Builder builder = RequestDecompressionPolicy.builder();
        if (config.maxInflated() != null) {
            builder.maxInflatedBytes((int) GatewayConfig.size(config.maxInflated()));
        }
        if (config.maxRatio() != null) {
            builder.maxRatio(config.maxRatio());
        }
        return builder.build();
    }

    private AuthPolicy auth(GatewayConfig.Auth auth, boolean optional) {
        IdentityHeaders identityHeaders = auth.identityHeadersOrDefault();
        AuthPolicy.Builder builder = AuthPolicy.builder().identityHeaders(identityHeaders);
        if (auth.jwt() != null) {
            GatewayConfig.Jwt jwt = auth.jwt();
            JwtAuthenticator.Builder authenticator = JwtAuthenticator.builder().claimsFor(identityHeaders);
            for (String audience : jwt.audiences()) {
                authenticator.audience(audience);
            }
            if (jwt.leeway() != null) {
                authenticator.leeway(GatewayConfig.duration(jwt.leeway()));
            }
            for (GatewayConfig.Issuer issuer : jwt.issuers()) {
                authenticator.issuer(issuer.issuer(), keys(issuer));
            }
            builder.authenticator(authenticator.build());
        }
        if (!auth.apiKeys().isEmpty()) {
            ApiKeyAuthenticator.Builder keys = ApiKeyAuthenticator.builder();
            for (GatewayConfig.ApiKey key : auth.apiKeys()) {
                keys.keyDigest(key.sha256(), key.owner(), key.plan(), Set.copyOf(key.scopes()));
            }
            builder.authenticator(keys.build());
        }
        if (optional) {
            builder.optional();
        }
        return builder.build();
    }

    private static dev.gatehouse.auth.KeySource keys(GatewayConfig.Issuer issuer) {
        if (issuer.jwks() != null) {
            return JwksKeySource.of(URI.create(issuer.jwks()));
        }
        return KeySet.of(issuer.staticKeys());
    }

    private static RateLimitPolicy rateLimit(
            GatewayConfig.RateLimit limits, BucketStore buckets, ClientAddress clients) {
        RateLimitPolicy.Builder builder =
                RateLimitPolicy.builder().limits(limits(limits)).store(buckets);
        for (Map.Entry<String, GatewayConfig.RateLimit> plan : limits.plans().entrySet()) {
            builder.plan(plan.getKey(), limits(plan.getValue()));
        }
        if (limits.cost() != null) {
            long cost = limits.cost();
            builder.cost(exchange -> cost);
        }
        return builder.key(key(limits.key(), clients)).build();
    }

    /** The bucket key a route's YAML names; see {@link GatewayConfig.RateLimit}. */
    private static RateLimitKey key(String name, ClientAddress clients) {
        RateLimitKey address = RateLimitKey.clientAddress(clients);
        if (name.startsWith("header:")) {
            String header = name.substring("header:".length());
            return RateLimitKey.of(exchange -> Optional.of(exchange.requestHeaders()
                    .first(header)
                    .map(value -> "header:" + value)
                    .orElse("header-missing")));
        }
        return switch (name) {
            case "principal" -> RateLimitKey.principal().orElse(address);
            case "apiKey" ->
                RateLimitKey.of(exchange -> Optional.of(Principal.of(exchange)
                        .filter(principal -> principal.method().equals("api-key"))
                        .map(principal -> "api-key:" + principal.subject())
                        .orElse("api-key-missing")));
            case "route" -> RateLimitKey.route();
            case "plan" -> RateLimitKey.plan().orElse(RateLimitKey.of(exchange -> Optional.of("plan:none")));
            default -> address;
        };
    }

    private static Limit[] limits(GatewayConfig.RateLimit limits) {
        List<Limit> list = new ArrayList<>();
        if (limits.perSecond() != null) {
            list.add(Limit.perSecond(limits.perSecond()));
        }
        if (limits.perMinute() != null) {
            list.add(Limit.perMinute(limits.perMinute()));
        }
        if (limits.perHour() != null) {
            list.add(Limit.perHour(limits.perHour()));
        }
        return list.toArray(Limit[]::new);
    }

    /** {@code builtin:users} (also orders, notifications) or {@code builtin:echo/any/path?query}. */
    private URI part(String url) throws Exception {
        if (!url.startsWith("builtin:")) {
            return URI.create(url);
        }
        String name = url.substring("builtin:".length());
        if (BuiltinBackends.DATA.contains(name)) {
            return URI.create(builtin() + "/" + name);
        }
        if (name.equals("echo") || name.startsWith("echo/") || name.startsWith("echo?")) {
            return URI.create(builtin() + name.substring("echo".length()));
        }
        throw new IllegalArgumentException(
                "part " + url + " (expected: builtin:users, builtin:orders, builtin:notifications or builtin:echo/…)");
    }

    /** The built-in backends' address; they start on first use. */
    private synchronized URI builtin() throws Exception {
        if (builtins == null) {
            builtins = BuiltinBackends.start();
        }
        return builtins.uri();
    }

    @Override
    public void close() throws Exception {
        if (builtins != null) {
            builtins.close();
        }
        for (RedisStores stores : redis.values()) {
            stores.buckets().close();
            stores.records().close();
        }
    }
}
