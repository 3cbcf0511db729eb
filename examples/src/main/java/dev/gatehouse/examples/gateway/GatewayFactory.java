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
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.LocalBucketStore;
import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.redis.RedisBucketStore;
import dev.gatehouse.redis.RedisIdempotencyStore;
import dev.gatehouse.requestid.RequestIdPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/** Turns a {@link GatewayConfig} into routes and policy chains; owns the built-in backends and Redis stores. */
final class GatewayFactory implements AutoCloseable {
    private final RequestIdPolicy requestIds = RequestIdPolicy.ofDefaults();
    private final AccessLogPolicy accessLog = AccessLogPolicy.ofDefaults();
    private final ProxyHygienePolicy hygiene = new ProxyHygienePolicy();
    private final CompressionPolicy compression = CompressionPolicy.ofDefaults();
    private @Nullable Server builtins;
    private @Nullable URI echo;
    private final EchoServlet echoServlet = new EchoServlet();
    private final List<AutoCloseable> redisStores = new ArrayList<>();

    /** The routes a configuration describes; stores and backends it needs are created once and reused. */
    List<GatewayRoute> routes(GatewayConfig config) throws Exception {
        @Nullable AuthPolicy required = null;
        @Nullable AuthPolicy optional = null;
        if (config.auth() != null) {
            required = auth(config.auth(), false);
            optional = auth(config.auth(), true);
        }
        BucketStore buckets;
        IdempotencyStore records;
        if (config.redis() != null) {
            RedisBucketStore redisBuckets =
                    RedisBucketStore.builder(config.redis()).build();
            RedisIdempotencyStore redisRecords =
                    RedisIdempotencyStore.builder(config.redis()).build();
            redisStores.add(redisBuckets);
            redisStores.add(redisRecords);
            buckets = redisBuckets;
            records = redisRecords;
        } else {
            buckets = LocalBucketStore.ofDefaults();
            records = InMemoryIdempotencyStore.ofDefaults();
        }
        List<GatewayRoute> routes = new ArrayList<>();
        for (GatewayConfig.RouteConfig route : config.routes()) {
            PolicyChain.Builder chain = PolicyChain.builder()
                    .add("request-id", requestIds)
                    .add("access-log", accessLog)
                    .add("proxy-hygiene", hygiene);
            GatewayConfig.RateLimit limits = route.rateLimit();
            if (limits != null && limits.key().equals("address")) {
                chain.add("ratelimit", rateLimit(limits, buckets));
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
                chain.add("ratelimit", rateLimit(limits, buckets));
            }
            if (Boolean.TRUE.equals(route.compression())) {
                chain.add("compression", compression);
            }
            if (Boolean.TRUE.equals(route.idempotency())) {
                chain.add("idempotency", IdempotencyPolicy.builder(records).build());
            }
            List<URI> upstreams = new ArrayList<>();
            for (String upstream : route.upstreams()) {
                upstreams.add(upstream.startsWith("builtin:") ? builtin(upstream) : URI.create(upstream));
            }
            routes.add(new GatewayRoute(route.path(), upstreams, chain.build(), route.timeoutOrDefault()));
        }
        return routes;
    }

    PolicyChain otherwise() {
        return PolicyChain.builder()
                .add("request-id", requestIds)
                .add("access-log", accessLog)
                .add("proxy-hygiene", hygiene)
                .build();
    }

    EchoServlet echo() {
        return echoServlet;
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
                                .orElse(RateLimitKey.clientAddress(dev.gatehouse.ratelimit.ClientAddress.direct()))
                        : RateLimitKey.clientAddress(dev.gatehouse.ratelimit.ClientAddress.direct()));
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

    private synchronized URI builtin(String name) throws Exception {
        if (!name.equals("builtin:echo")) {
            throw new IllegalArgumentException("upstream " + name + " (expected: builtin:echo)");
        }
        if (builtins == null) {
            builtins = new Server();
            ServerConnector connector = new ServerConnector(builtins);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            builtins.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.addServlet(new ServletHolder(echoServlet), "/*");
            builtins.setHandler(context);
            builtins.start();
            echo = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        }
        return echo;
    }

    @Override
    public void close() throws Exception {
        if (builtins != null) {
            builtins.stop();
        }
        for (AutoCloseable store : redisStores) {
            store.close();
        }
    }
}
