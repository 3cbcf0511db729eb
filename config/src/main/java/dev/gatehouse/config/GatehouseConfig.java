package dev.gatehouse.config;

import dev.gatehouse.ClientAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The policy part of a Gatehouse configuration: where shared state lives ({@code redis}), the credentials
 * accepted ({@code auth}), the load balancers in front ({@code trustedProxies}) and the routes with their
 * policies. {@link RouteTableFactory} turns it into a {@link dev.gatehouse.RouteTable}.
 *
 * @param redis {@code redis://host:port} (or {@code rediss://}), a Sentinel group ({@code
 *     redis-sentinel://host:26379,host:26379#mymaster}) or a Cluster ({@code redis-cluster://host:7000,host:7001}):
 *     rate-limit buckets and idempotency records shared by every instance; local stores when unset
 * @param trustedProxies networks ({@code 10.0.0.0/8}) whose {@code X-Forwarded-For} is believed: the right-most
 *     untrusted hop is the client, for rate limits, idempotency scopes and the access log
 * @param trustedProxiesHeader which field the trusted proxies write: {@code x-forwarded-for} (the default) or {@code
 *     forwarded} (RFC 7239's {@code for=})
 * @param cors CORS for every route that sets none of its own
 * @param securityHeaders security response headers for every route that sets none of its own
 * @param ipRules allowed and denied networks for every route that sets none of its own
 * @param cache where cached routes keep their responses: in memory (the default) or in {@code redis}
 */
public record GatehouseConfig(
        @Nullable String redis,
        @Nullable AuthConfig auth,
        @Nullable List<String> trustedProxies,
        @Nullable List<RouteConfig> routes,
        @Nullable CorsConfig cors,
        @Nullable SecurityHeadersConfig securityHeaders,
        @Nullable IpRulesConfig ipRules,
        @Nullable CacheStoreConfig cache,
        @Nullable String trustedProxiesHeader) {
    private static final java.util.regex.Pattern REDIS_SCHEMES =
            java.util.regex.Pattern.compile("rediss?(-sentinel|-cluster)?://");

    public GatehouseConfig {
        if (redis != null && !REDIS_SCHEMES.matcher(redis).lookingAt()) {
            // The user info (a password) is never echoed: errors reach logs and consoles.
            throw new IllegalArgumentException("redis " + redis.replaceAll("//[^@/]*@", "//***@")
                    + " (expected: redis://host:port, redis-sentinel://host:port,host:port#master or"
                    + " redis-cluster://host:port,host:port)");
        }
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        if (trustedProxiesHeader != null) {
            if (!trustedProxiesHeader.equals("x-forwarded-for") && !trustedProxiesHeader.equals("forwarded")) {
                throw new IllegalArgumentException(
                        "trustedProxiesHeader " + trustedProxiesHeader + " (expected: x-forwarded-for or forwarded)");
            }
            if (trustedProxies.isEmpty()) {
                throw new IllegalArgumentException("trustedProxiesHeader " + trustedProxiesHeader
                        + " without trustedProxies (expected: the" + " networks whose header is believed)");
            }
        }
        clientAddress(trustedProxies, trustedProxiesHeader); // a bad network is reported where it is written
        routes = routes == null ? List.of() : List.copyOf(routes);
        cache = cache == null ? CacheStoreConfig.ofDefaults() : cache;
    }

    /** The policy part of a configuration whose trusted proxies, if any, send {@code X-Forwarded-For}. */
    public GatehouseConfig(
            @Nullable String redis,
            @Nullable AuthConfig auth,
            @Nullable List<String> trustedProxies,
            @Nullable List<RouteConfig> routes,
            @Nullable CorsConfig cors,
            @Nullable SecurityHeadersConfig securityHeaders,
            @Nullable IpRulesConfig ipRules,
            @Nullable CacheStoreConfig cache) {
        this(redis, auth, trustedProxies, routes, cors, securityHeaders, ipRules, cache, null);
    }

    /** The policy part of a configuration whose cached routes keep their responses in memory. */
    public GatehouseConfig(
            @Nullable String redis,
            @Nullable AuthConfig auth,
            @Nullable List<String> trustedProxies,
            @Nullable List<RouteConfig> routes,
            @Nullable CorsConfig cors,
            @Nullable SecurityHeadersConfig securityHeaders,
            @Nullable IpRulesConfig ipRules) {
        this(redis, auth, trustedProxies, routes, cors, securityHeaders, ipRules, null, null);
    }

    /** The policy part of a configuration without route defaults for CORS, security headers or IP rules. */
    public GatehouseConfig(
            @Nullable String redis,
            @Nullable AuthConfig auth,
            @Nullable List<String> trustedProxies,
            @Nullable List<RouteConfig> routes) {
        this(redis, auth, trustedProxies, routes, null, null, null, null, null);
    }

    @Override
    public List<String> trustedProxies() {
        return trustedProxies == null ? List.of() : trustedProxies;
    }

    @Override
    public CacheStoreConfig cache() {
        return cache == null ? CacheStoreConfig.ofDefaults() : cache;
    }

    @Override
    public List<RouteConfig> routes() {
        return routes == null ? List.of() : routes;
    }

    /** How the client's address is found: the peer, or through the trusted proxies. */
    public ClientAddress clientAddress() {
        return clientAddress(trustedProxies(), trustedProxiesHeader);
    }

    private static ClientAddress clientAddress(List<String> trustedProxies, @Nullable String header) {
        if (trustedProxies.isEmpty()) {
            return ClientAddress.direct();
        }
        String[] networks = trustedProxies.toArray(String[]::new);
        return "forwarded".equals(header)
                ? ClientAddress.trustingForwarded(networks)
                : ClientAddress.trusting(networks);
    }
}
