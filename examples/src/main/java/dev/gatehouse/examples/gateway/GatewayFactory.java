package dev.gatehouse.examples.gateway;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.auth.ApiKeyPolicy;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwksKeySource;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.JwtPolicy;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.auth.ScopePolicy;
import dev.gatehouse.compression.CompressionPolicy;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        for (GatewayConfig.RouteConfig route : config.routes()) {
            PolicyChain.Builder chain = chain();
            GatewayConfig.RateLimit limits = route.rateLimit();
            RateLimitPolicy limiter = limits == null ? null : rateLimit(limits, buckets);
            if (limits != null && limits.key().equals("address")) {
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
            if (limits != null && limits.key().equals("principal")) {
                chain.add("ratelimit", limiter);
            }
            if (Boolean.TRUE.equals(route.compression())) {
                chain.add("compression", compression);
            }
            IdempotencyPolicy idempotent = Boolean.TRUE.equals(route.idempotency())
                    ? IdempotencyPolicy.builder(records).build()
                    : null;
            if (idempotent != null) {
                chain.add("idempotency", idempotent);
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
            PolicyChain.Builder chain = chain();
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
            if (Boolean.TRUE.equals(aggregation.compression())) {
                chain.add("compression", compression);
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
        bindStoreHealth();
        return new Built(routes, aggregations);
    }

    private PolicyChain.Builder chain() {
        PolicyChain.Builder chain = PolicyChain.builder()
                .add("request-id", requestIds)
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
        return chain().build();
    }

    private AuthPolicy auth(GatewayConfig.Auth auth, boolean optional) {
        AuthPolicy.Builder builder = AuthPolicy.builder();
        if (auth.jwt() != null) {
            GatewayConfig.Jwt jwt = auth.jwt();
            JwtPolicy.Builder policy = JwtPolicy.builder();
            for (String audience : jwt.audiences()) {
                policy.audience(audience);
            }
            if (jwt.leeway() != null) {
                policy.leeway(GatewayConfig.duration(jwt.leeway()));
            }
            for (GatewayConfig.Issuer issuer : jwt.issuers()) {
                policy.issuer(issuer.issuer(), keys(issuer));
            }
            builder.authenticator(policy.build());
        }
        if (!auth.apiKeys().isEmpty()) {
            ApiKeyPolicy.Builder keys = ApiKeyPolicy.builder();
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
        if (issuer.hs256Secret() != null) {
            return KeySet.of(
                    JwtKey.hmac(null, JwtAlgorithm.HS256, Base64.getDecoder().decode(issuer.hs256Secret())));
        }
        JwtAlgorithm alg = issuer.alg() == null ? JwtAlgorithm.RS256 : JwtAlgorithm.valueOf(issuer.alg());
        return KeySet.of(JwtKey.fromPem(null, alg, issuer.publicKeyPem()));
    }

    private static RateLimitPolicy rateLimit(GatewayConfig.RateLimit limits, BucketStore buckets) {
        RateLimitPolicy.Builder builder =
                RateLimitPolicy.builder().limits(limits(limits)).store(buckets);
        for (Map.Entry<String, GatewayConfig.RateLimit> plan : limits.plans().entrySet()) {
            builder.plan(plan.getKey(), limits(plan.getValue()));
        }
        builder.key(
                limits.key().equals("principal")
                        ? RateLimitKey.principal()
                                .orElse(RateLimitKey.clientAddress(dev.gatehouse.ClientAddress.direct()))
                        : RateLimitKey.clientAddress(dev.gatehouse.ClientAddress.direct()));
        return builder.build();
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
