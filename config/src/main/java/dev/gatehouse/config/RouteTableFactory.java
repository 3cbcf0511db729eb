package dev.gatehouse.config;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.ScopePolicy;
import dev.gatehouse.cache.BackgroundRefresh;
import dev.gatehouse.cache.HttpCachePolicy;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.compression.RequestDecompressionPolicy;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.idempotency.ResilientIdempotencyStore;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.LocalBucketStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@link GatehouseConfig} into policies: each route's chain, and the {@link RouteTable} of all routes.
 * A route's own policies run after the policies every chain starts with (request id, access log: the {@code
 * outer} chain, whose listener and clock the route's chain keeps), in this order: IP rules, CORS and security
 * headers (the route's own, else the top-level ones; the chain runs them before every guard), a rate limit keyed
 * without the principal, webhook signatures, authentication, scopes, a rate limit keyed by the principal, header
 * transforms, request decompression, compression, the HTTP cache (inside compression: bodies are stored
 * uncompressed), idempotency, and removing {@code Authorization}.
 *
 * <pre>{@code
 * RouteTableFactory factory = RouteTableFactory.of(config);
 * RouteTable table = factory.routeTable(PolicyChain.of(RequestIdPolicy.ofDefaults(), AccessLogPolicy.ofDefaults()));
 * }</pre>
 *
 * <p>Routes are tried most specific first: the longer the literal start of the path, the earlier (a route with
 * methods before one without, at the same path); among equals, in the order given. Requests that match no route
 * get the {@code outer} chain alone.
 */
public final class RouteTableFactory {
    /** Removes the client's {@code Authorization} before the service, once the route's policies have used it. */
    private static final OffloadPolicy STRIP_AUTHORIZATION =
            exchange -> Decision.proceed(Headers.create(), List.of("Authorization"));

    /** The bound of the default cache store: 64 MiB of bodies and headers, shared by every cached route. */
    public static final long DEFAULT_CACHE_BYTES = 64L * 1024 * 1024;

    private final GatehouseConfig config;
    private final BucketStore buckets;
    private final IdempotencyStore records;
    private final HttpCacheStore cache;
    private final ClientAddress clients;
    private final @Nullable AuthPolicy required;
    private final @Nullable AuthPolicy optional;
    private final CompressionPolicy compression = CompressionPolicy.ofDefaults();
    private @Nullable BackgroundRefresh refresh;

    private RouteTableFactory(
            GatehouseConfig config, BucketStore buckets, IdempotencyStore records, HttpCacheStore cache) {
        this.config = requireNonNull(config, "config");
        this.buckets = requireNonNull(buckets, "buckets");
        this.records = requireNonNull(records, "records");
        this.cache = requireNonNull(cache, "cache");
        this.clients = config.clientAddress();
        Set<String> claims = new TreeSet<>();
        for (RouteConfig route : config.routes()) {
            if (route.headerTransforms() != null) {
                claims.addAll(route.headerTransforms().claimNames());
            }
        }
        this.required = config.auth() == null ? null : Policies.auth(config.auth(), false, claims);
        this.optional = config.auth() == null ? null : Policies.auth(config.auth(), true, claims);
    }

    /** Rate-limit buckets and idempotency records in this process's memory. */
    public static RouteTableFactory of(GatehouseConfig config) {
        return of(config, LocalBucketStore.ofDefaults(), InMemoryIdempotencyStore.ofDefaults());
    }

    /**
     * Rate-limit buckets and idempotency records in these stores (Redis ones share them between instances); cached
     * responses in memory, bounded by {@link CacheStoreConfig#maxBytes()}.
     *
     * @throws IllegalArgumentException when the configuration keeps cached responses in Redis: pass the store then
     */
    public static RouteTableFactory of(GatehouseConfig config, BucketStore buckets, IdempotencyStore records) {
        return of(config, buckets, records, config.cache().open(null));
    }

    /** As {@link #of(GatehouseConfig, BucketStore, IdempotencyStore)}, with cached routes' responses in {@code cache}. */
    public static RouteTableFactory of(
            GatehouseConfig config, BucketStore buckets, IdempotencyStore records, HttpCacheStore cache) {
        return new RouteTableFactory(config, buckets, records, cache);
    }

    /**
     * Cached routes built after this call refresh responses within {@code stale-while-revalidate} through {@code
     * refresh}, in the background ({@link HttpCachePolicy.Builder#backgroundRefresh}).
     */
    public RouteTableFactory backgroundRefresh(BackgroundRefresh refresh) {
        this.refresh = requireNonNull(refresh, "refresh");
        return this;
    }

    public GatehouseConfig config() {
        return config;
    }

    /** How the client's address is found: through {@link GatehouseConfig#trustedProxies()}. */
    public ClientAddress clientAddress() {
        return clients;
    }

    /** {@code outer}'s policies, then the route's own; with {@code outer}'s listener and clock. */
    public PolicyChain chain(RouteConfig route, PolicyChain outer) {
        return chain(route, outer, route.path() + (route.methods() == null ? "" : " " + route.methods()));
    }

    /**
     * As {@link #chain(RouteConfig, PolicyChain)}, with the route's rate limit counting in buckets of its own
     * {@code scope} (whatever tells the route from the others: its path, methods, host): routes share the factory's
     * store, never their buckets. The same route on every instance must have the same scope.
     */
    public PolicyChain chain(RouteConfig route, PolicyChain outer, String scope) {
        PolicyChain.Builder chain = PolicyChain.builder();
        for (int i = 0; i < outer.size(); i++) {
            chain.add(outer.name(i), outer.policy(i));
        }
        addEdgePolicies(chain, route);
        RateLimitConfig limits = route.rateLimit();
        OffloadPolicy limiter = limits == null ? null : Policies.rateLimit(limits, buckets, clients, scope);
        if (limits != null && !limits.afterAuth()) {
            chain.add("ratelimit", limiter);
        }
        if (route.webhook() != null) {
            chain.add("webhook", route.webhook().policy(records));
        }
        if (!route.auth().equals("none")) {
            if (required == null || optional == null) {
                throw new IllegalArgumentException("route " + route.path() + ": auth " + route.auth()
                        + " but no credentials (expected: an auth section with jwt, introspection, apiKeys or"
                        + " clientCertificates)");
            }
            chain.add("auth", route.auth().equals("required") ? required : optional);
        }
        if (!route.scopes().isEmpty()) {
            chain.add("scope", ScopePolicy.require(route.scopes().toArray(String[]::new)));
        }
        if (limits != null && limits.afterAuth()) {
            chain.add("ratelimit", limiter);
        }
        if (route.headerTransforms() != null) {
            chain.add("header-transform", route.headerTransforms().policy(identityHeaders()));
        }
        DecompressionConfig decompression = route.requestDecompression();
        if (decompression != null && decompression.enabled()) {
            chain.add("request-decompression", decompression(decompression));
        }
        CompressionConfig compressing = route.compression();
        if (compressing != null && compressing.enabled()) {
            chain.add("compression", compressing.isDefault() ? compression : Policies.compression(compressing));
        }
        CacheConfig caching = route.cache();
        if (caching != null && caching.enabled()) {
            chain.add("cache", cache(caching));
        }
        IdempotencyConfig idempotency = route.idempotency();
        if (idempotency != null && idempotency.enabled()) {
            chain.add("idempotency", idempotency(idempotency));
        }
        if (route.stripAuthorization()) {
            chain.add("strip-authorization", STRIP_AUTHORIZATION);
        }
        return chain.listener(outer.listener()).nanoClock(outer::nanoTime).build();
    }

    /**
     * Security headers, IP rules and CORS: the route's own, else the configuration's defaults. Security headers
     * first, so that the IP rules' refusals carry them too.
     */
    private void addEdgePolicies(PolicyChain.Builder chain, RouteConfig route) {
        SecurityHeadersConfig headers =
                route.securityHeaders() != null ? route.securityHeaders() : config.securityHeaders();
        if (headers != null && headers.enabled()) {
            chain.add("security-headers", headers.policy(clients));
        }
        IpRulesConfig ipRules = route.ipRules() != null ? route.ipRules() : config.ipRules();
        if (ipRules != null) {
            chain.add("ip-filter", ipRules.policy(clients));
        }
        CorsConfig cors = route.cors() != null ? route.cors() : config.cors();
        if (cors != null) {
            chain.add("cors", cors.policy());
        }
    }

    private IdentityHeaders identityHeaders() {
        return config.auth() == null
                ? IdentityHeaders.defaults()
                : config.auth().identityHeadersOrDefault();
    }

    /** Every route of the configuration, most specific first; requests that match none get {@code outer}. */
    public RouteTable routeTable(PolicyChain outer) {
        return routeTable(outer, (pattern, chain) -> chain);
    }

    /**
     * Every route of the configuration, most specific first; requests that match none get {@code outer}. Each
     * chain (the default one under the pattern {@code /**}) passes through {@code finish}, which may return another
     * chain: with policies added, removed or reordered.
     */
    public RouteTable routeTable(PolicyChain outer, BiFunction<String, PolicyChain, PolicyChain> finish) {
        requireNonNull(finish, "finish");
        RouteTable.Builder table = RouteTable.builder();
        List<RouteConfig> routes = new ArrayList<>(config.routes());
        routes.sort(Comparator.comparingInt(RouteConfig::specificity).reversed());
        for (RouteConfig route : routes) {
            PolicyChain chain = finish.apply(route.pattern(), chain(route, outer));
            if (route.methods().isEmpty()) {
                table.route(route.pattern(), chain);
            } else {
                table.route(String.join(",", route.methods()), route.pattern(), chain);
            }
        }
        table.otherwise(finish.apply("/**", outer));
        if (config.auth() != null) {
            table.protect(config.auth()
                    .identityHeadersOrDefault()
                    .protectedHeaders()
                    .names()
                    .toArray(String[]::new));
        }
        return table.build();
    }

    private HttpCachePolicy cache(CacheConfig config) {
        HttpCachePolicy.Builder builder = HttpCachePolicy.builder(cache);
        if (config.maxBodySize() != null) {
            builder.maxBodyBytes((int) ConfigValues.size(config.maxBodySize()));
        }
        if (config.name() != null) {
            builder.cacheName(config.name());
        }
        if (config.collapseTimeout() != null) {
            builder.collapseTimeout(ConfigValues.duration(config.collapseTimeout()));
        }
        if (refresh != null) {
            builder.backgroundRefresh(refresh);
        }
        return builder.build();
    }

    /** The store every cached route of this factory keeps its responses in: for purges from an admin port. */
    public HttpCacheStore cacheStore() {
        return cache;
    }

    private IdempotencyPolicy idempotency(IdempotencyConfig config) {
        IdempotencyStore store = records;
        boolean failOpen = "proceed".equals(config.onStoreFailure());
        if (failOpen || config.storeBreakerWindow() != null) {
            ResilientIdempotencyStore.Builder resilient = ResilientIdempotencyStore.builder(records);
            if (failOpen) {
                resilient.failOpen();
            }
            if (config.storeBreakerWindow() != null) {
                resilient.breakerWindow(ConfigValues.duration(config.storeBreakerWindow()));
            }
            store = Policies.built(resilient::build);
        }
        IdempotencyPolicy.Builder builder = IdempotencyPolicy.builder(store).clientAddress(clients);
        if (config.lease() != null) {
            builder.lease(ConfigValues.duration(config.lease()));
        }
        if (config.maxBodySize() != null) {
            builder.maxBodyBytes((int) ConfigValues.size(config.maxBodySize()));
        }
        if (config.maxStoredBodySize() != null) {
            builder.maxStoredBodyBytes((int) ConfigValues.size(config.maxStoredBodySize()));
        }
        if (Boolean.TRUE.equals(config.required())) {
            builder.required();
        }
        if (config.methods() != null) {
            builder.methods(config.methods().toArray(String[]::new));
        }
        if (config.ttl() != null) {
            builder.ttl(ConfigValues.duration(config.ttl()));
        }
        return builder.build();
    }

    private static RequestDecompressionPolicy decompression(DecompressionConfig config) {
        RequestDecompressionPolicy.Builder builder = RequestDecompressionPolicy.builder();
        if (config.maxInflated() != null) {
            builder.maxInflatedBytes((int) ConfigValues.size(config.maxInflated()));
        }
        if (config.maxRatio() != null) {
            builder.maxRatio(config.maxRatio());
        }
        if (config.maxWire() != null) {
            builder.maxWireBytes((int) ConfigValues.size(config.maxWire()));
        }
        if (config.maxLayers() != null) {
            builder.maxLayers(config.maxLayers());
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "RouteTableFactory[" + config.routes().size() + " routes, " + buckets + ", " + records + "]";
    }
}
