package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gatehouse.config.AuthConfig;
import dev.gatehouse.config.CacheConfig;
import dev.gatehouse.config.CompressionConfig;
import dev.gatehouse.config.ConfigValues;
import dev.gatehouse.config.CorsConfig;
import dev.gatehouse.config.DecompressionConfig;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.HeaderTransformsConfig;
import dev.gatehouse.config.IdempotencyConfig;
import dev.gatehouse.config.IpRulesConfig;
import dev.gatehouse.config.RateLimitConfig;
import dev.gatehouse.config.SecurityHeadersConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The schema of the gateway's YAML configuration (see {@code examples/gateway.example.yaml} for every key,
 * commented): records that check their own values. The policy part (auth, trusted proxies, the route defaults for
 * CORS, security headers and IP rules, each route's policies) is Gatehouse's one configuration vocabulary, {@code dev.gatehouse.config}, the same records the Spring Boot
 * starter binds; the rest (listeners, upstreams, health, breakers, timeouts, aggregation) is the gateway's own.
 * {@link GatewayConfigLoader} reads a file into them and locates every problem by file, line, column and key path.
 */
public record GatewayConfig(
        @Nullable Listen listen,
        @Nullable Admin admin,
        @Nullable String redis,
        @Nullable AuthConfig auth,
        @Nullable List<String> trustedProxies,
        List<RouteConfig> routes,
        List<AggregationConfig> aggregations,
        @Nullable CorsConfig cors,
        @Nullable SecurityHeadersConfig securityHeaders,
        @Nullable IpRulesConfig ipRules) {

    public GatewayConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        routes = routes == null ? List.of() : List.copyOf(routes);
        aggregations = aggregations == null ? List.of() : List.copyOf(aggregations);
        if (routes.isEmpty() && aggregations.isEmpty()) {
            throw new IllegalArgumentException("no routes (expected: at least one under routes: or aggregations:)");
        }
        // Checked here (the Redis URL, each trusted network) so that a bad value is reported at its line.
        new GatehouseConfig(redis, auth, trustedProxies, List.of());
    }

    /** The policy part: what {@link dev.gatehouse.config.RouteTableFactory} builds the chains from. */
    public GatehouseConfig policies() {
        return new GatehouseConfig(
                redis,
                auth,
                trustedProxies,
                routes.stream().map(RouteConfig::policies).toList(),
                cors,
                securityHeaders,
                ipRules);
    }

    public Listen listenOrDefault() {
        return listen == null ? new Listen(null, null, null, null, null, null) : listen;
    }

    /**
     * Where the gateway listens: HTTP/1.1 and h2c on {@code port} (127.0.0.1:8080 by default), and with {@code
     * tlsPort} also HTTPS with HTTP/2, from a PKCS#12 {@code keystore} (or, without one, a generated self-signed
     * certificate — for trying things out only). On SIGTERM the gateway stops accepting and gives requests in
     * flight {@code shutdownGrace} (30s by default) to finish.
     */
    public record Listen(
            @Nullable String host,
            @Nullable Integer port,
            @Nullable Integer tlsPort,
            @Nullable String keystore,
            @Nullable String keystorePassword,
            @Nullable String shutdownGrace) {
        public Listen {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 8080 : port;
            shutdownGrace = shutdownGrace == null ? "30s" : shutdownGrace;
            duration(shutdownGrace);
            for (Integer p : new Integer[] {port, tlsPort}) {
                if (p != null && (p < 0 || p > 65535)) {
                    throw new IllegalArgumentException("port " + p + " (expected: 0..65535)");
                }
            }
            if (keystore != null && (tlsPort == null || keystorePassword == null)) {
                throw new IllegalArgumentException("keystore needs tlsPort and keystorePassword");
            }
        }
    }

    /**
     * The admin port: {@code /metrics} (Prometheus) and {@code /admin/status}. Bind it to loopback or a
     * management network only.
     */
    public record Admin(@Nullable String host, @Nullable Integer port) {
        public Admin {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 9090 : port;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " (expected: 0..65535)");
            }
        }
    }

    /**
     * One route: which requests (path prefix, and optionally host and header values), where they go
     * (upstreams, timeout, retries, passive health, circuit breaker, body limit) and the policies they pass.
     */
    public record RouteConfig(
            String path,
            @Nullable String host,
            @Nullable Map<String, String> headers,
            List<UpstreamConfig> upstreams,
            @Nullable String timeout,
            @Nullable Integer retries,
            @Nullable String maxBodySize,
            @Nullable String requestBuffer,
            @Nullable PassiveHealth passiveHealth,
            @Nullable CircuitBreaker circuitBreaker,
            @Nullable String auth,
            @Nullable List<String> scopes,
            @Nullable RateLimitConfig rateLimit,
            @Nullable CompressionConfig compression,
            @Nullable IdempotencyConfig idempotency,
            @Nullable DecompressionConfig requestDecompression,
            @Nullable Boolean stripAuthorization,
            @Nullable CorsConfig cors,
            @Nullable SecurityHeadersConfig securityHeaders,
            @Nullable IpRulesConfig ipRules,
            @Nullable HeaderTransformsConfig headerTransforms,
            @Nullable Boolean stripPrefix,
            @Nullable Rewrite rewrite,
            GatewayRoute.@Nullable Pin pin,
            @Nullable CacheConfig cache) {
        public RouteConfig {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: a prefix starting with /)");
            }
            if (upstreams == null || upstreams.isEmpty()) {
                throw new IllegalArgumentException("route " + path + ": no upstreams");
            }
            upstreams = List.copyOf(upstreams);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            auth = dev.gatehouse.config.RouteConfig.authOrDefault(auth);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (timeout != null) {
                duration(timeout);
            }
            if (retries != null && retries < 0) {
                throw new IllegalArgumentException("retries " + retries + " (expected: 0 or more)");
            }
            if (maxBodySize != null) {
                size(maxBodySize);
            }
            if (requestBuffer != null && size(requestBuffer) > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("requestBuffer " + requestBuffer + " (expected: at most 2GiB)");
            }
        }

        public boolean stripPrefixOrDefault() {
            return stripPrefix != null && stripPrefix;
        }

        /** The route's policies, in the vocabulary the Spring Boot starter shares. */
        public dev.gatehouse.config.RouteConfig policies() {
            return new dev.gatehouse.config.RouteConfig(
                    path,
                    null,
                    auth,
                    scopes,
                    rateLimit,
                    compression,
                    idempotency,
                    requestDecompression,
                    stripAuthorization,
                    cors,
                    securityHeaders,
                    ipRules,
                    headerTransforms,
                    cache);
        }

        public Duration timeoutOrDefault() {
            return timeout == null ? Duration.ofSeconds(30) : duration(timeout);
        }

        public long maxBodyBytes() {
            return maxBodySize == null ? GatewayRoute.DEFAULT_MAX_BODY_BYTES : size(maxBodySize);
        }

        public long requestBufferBytes() {
            return requestBuffer == null ? GatewayRoute.DEFAULT_REQUEST_BUFFER_BYTES : size(requestBuffer);
        }
    }

    /**
     * One upstream: a URL ({@code http://…}, {@code https://…} or {@code builtin:echo}) written alone, or {@code
     * {url: …, weight: 5}}; the weight is a whole number, 1 or more (default 1).
     */
    public record UpstreamConfig(String url, @Nullable Integer weight) {
        public UpstreamConfig {
            if (url == null
                    || !url.startsWith("http://") && !url.startsWith("https://") && !url.equals("builtin:echo")) {
                throw new IllegalArgumentException(
                        "upstream " + url + " (expected: http://…, https://… or builtin:echo)");
            }
            weight = weight == null ? 1 : weight;
            if (weight < 1) {
                throw new IllegalArgumentException("weight " + weight + " (expected: a whole number, 1 or more)");
            }
        }

        /** A URL written alone, with weight 1. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static UpstreamConfig of(String url) {
            return new UpstreamConfig(url, null);
        }
    }

    /** A path rewrite: {@code from} a Java regular expression, {@code to} its replacement ({@code $1} for groups). */
    public record Rewrite(String from, String to) {
        public Rewrite {
            if (from == null || to == null) {
                throw new IllegalArgumentException("rewrite needs from and to (expected: {from: regex, to: text})");
            }
            GatewayRoute.Rewrite.of(from, to);
        }

        GatewayRoute.Rewrite toSettings() {
            return GatewayRoute.Rewrite.of(from, to);
        }
    }

    /** An upstream whose last {@code failures} calls all failed is ejected for {@code ejectFor}. */
    public record PassiveHealth(int failures, String ejectFor) {
        public PassiveHealth {
            if (failures < 1) {
                throw new IllegalArgumentException("failures " + failures + " (expected: 1 or more)");
            }
            if (ejectFor == null) {
                throw new IllegalArgumentException("ejectFor missing (expected: e.g. 30s)");
            }
            duration(ejectFor);
        }

        GatewayRoute.PassiveHealth toSettings() {
            return new GatewayRoute.PassiveHealth(failures, duration(ejectFor));
        }
    }

    /** The route stops calling its upstreams for {@code openFor} once {@code failureRate} % of the last {@code window} failed. */
    public record CircuitBreaker(int failureRate, int window, String openFor) {
        public CircuitBreaker {
            if (openFor == null) {
                throw new IllegalArgumentException("openFor missing (expected: e.g. 30s)");
            }
            new GatewayRoute.CircuitBreakerSettings(failureRate, window, duration(openFor));
        }

        GatewayRoute.CircuitBreakerSettings toSettings() {
            return new GatewayRoute.CircuitBreakerSettings(failureRate, window, duration(openFor));
        }
    }

    /**
     * An aggregation route at exactly {@code path}: calls every part in parallel (each bounded by {@code
     * timeout}) and merges their JSON under the part names; a part that fails or is late is {@code null} and
     * named in {@code X-Gatehouse-Partial}.
     */
    public record AggregationConfig(
            String path,
            Map<String, String> parts,
            @Nullable String timeout,
            @Nullable String auth,
            @Nullable List<String> scopes,
            @Nullable CompressionConfig compression) {
        public AggregationConfig {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: an exact path starting with /)");
            }
            if (parts == null || parts.isEmpty()) {
                throw new IllegalArgumentException("aggregation " + path + ": no parts (expected: name: url)");
            }
            for (String url : parts.values()) {
                if (!url.startsWith("http://") && !url.startsWith("https://") && !url.startsWith("builtin:")) {
                    throw new IllegalArgumentException(
                            "part " + url + " (expected: http://…, https://… or builtin:users, builtin:echo/path…)");
                }
            }
            parts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts));
            auth = dev.gatehouse.config.RouteConfig.authOrDefault(auth);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (timeout != null) {
                duration(timeout);
            }
        }

        /** The aggregation's policies: authentication, scopes, compression. */
        public dev.gatehouse.config.RouteConfig policies() {
            return new dev.gatehouse.config.RouteConfig(
                    path, null, auth, scopes, null, compression, null, null, null, null, null, null, null, null);
        }

        public Duration timeoutOrDefault() {
            return timeout == null ? Duration.ofSeconds(2) : duration(timeout);
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}: see {@link ConfigValues#duration}. */
    static Duration duration(String text) {
        return ConfigValues.duration(text);
    }

    /** {@code 1000} (bytes), {@code 512KiB}, {@code 10MiB}, {@code 1GiB}: see {@link ConfigValues#size}. */
    static long size(String text) {
        return ConfigValues.size(text);
    }
}
