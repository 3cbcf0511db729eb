package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gatehouse.ClientAddress;
import dev.gatehouse.IdentityHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The schema of the gateway's YAML configuration (see {@code examples/gateway.example.yaml} for every key,
 * commented): records that check their own values. {@link GatewayConfigLoader} reads a file into them and
 * locates every problem by file, line, column and key path.
 */
public record GatewayConfig(
        @Nullable Listen listen,
        @Nullable Admin admin,
        @Nullable String redis,
        @Nullable Auth auth,
        @Nullable List<String> trustedProxies,
        List<RouteConfig> routes,
        List<AggregationConfig> aggregations) {

    public GatewayConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        // Parsed here so that a bad network is reported at its line.
        ClientAddress.trusting(trustedProxies.toArray(String[]::new));
        routes = routes == null ? List.of() : List.copyOf(routes);
        aggregations = aggregations == null ? List.of() : List.copyOf(aggregations);
        if (routes.isEmpty() && aggregations.isEmpty()) {
            throw new IllegalArgumentException("no routes (expected: at least one under routes: or aggregations:)");
        }
        if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new IllegalArgumentException("redis: expected redis://host:port");
        }
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

    /** Credentials the gateway accepts, and the headers that pass the principal to the services. */
    public record Auth(
            @Nullable Jwt jwt,
            @Nullable List<ApiKey> apiKeys,
            @Nullable IdentityHeaderNames identityHeaders) {
        public Auth {
            apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        }

        public IdentityHeaders identityHeadersOrDefault() {
            return identityHeaders == null ? IdentityHeaders.defaults() : identityHeaders.toIdentityHeaders();
        }
    }

    /**
     * The request headers that carry the principal ({@code X-User-Id}, {@code X-Tenant-Id}, {@code X-Scopes},
     * {@code X-Plan} by default) and claims passed in headers of their own ({@code claims: {email:
     * X-User-Email}}). Client copies of all of them are removed on every route.
     */
    public record IdentityHeaderNames(
            @Nullable String user,
            @Nullable String tenant,
            @Nullable String scopes,
            @Nullable String plan,
            @Nullable Map<String, String> claims) {
        public IdentityHeaderNames {
            claims = claims == null ? Map.of() : Map.copyOf(claims);
            build(user, tenant, scopes, plan, claims);
        }

        IdentityHeaders toIdentityHeaders() {
            return build(user, tenant, scopes, plan, claims);
        }

        private static IdentityHeaders build(
                @Nullable String user,
                @Nullable String tenant,
                @Nullable String scopes,
                @Nullable String plan,
                Map<String, String> claims) {
            IdentityHeaders.Builder builder = IdentityHeaders.builder();
            if (user != null) {
                builder.user(user);
            }
            if (tenant != null) {
                builder.tenant(tenant);
            }
            if (scopes != null) {
                builder.scopes(scopes);
            }
            if (plan != null) {
                builder.plan(plan);
            }
            claims.forEach(builder::claim);
            return builder.build();
        }
    }

    /** JWT issuers and the audiences accepted. */
    public record Jwt(
            List<Issuer> issuers,
            List<String> audiences,
            @Nullable String leeway) {
        public Jwt {
            if (issuers == null || issuers.isEmpty()) {
                throw new IllegalArgumentException("no issuers (expected: at least one)");
            }
            if (audiences == null || audiences.isEmpty()) {
                throw new IllegalArgumentException("no audiences (expected: at least one)");
            }
            issuers = List.copyOf(issuers);
            audiences = List.copyOf(audiences);
            if (leeway != null) {
                duration(leeway);
            }
        }
    }

    /**
     * One issuer: its keys from a JWKS URL, or listed under {@code keys}, or (one key) from {@code hs256Secret}
     * or {@code publicKeyPem} with {@code alg} and an optional {@code kid}.
     */
    public record Issuer(
            String issuer,
            @Nullable String jwks,
            @Nullable List<Key> keys,
            @JsonProperty("hs256Secret") @Nullable String hs256Secret,
            @Nullable String publicKeyPem,
            @Nullable String alg,
            @Nullable String kid) {
        public Issuer {
            if (issuer == null || issuer.isEmpty()) {
                throw new IllegalArgumentException("issuer missing (expected: the exact iss value)");
            }
            int sources = (jwks == null ? 0 : 1)
                    + (keys == null ? 0 : 1)
                    + (hs256Secret == null ? 0 : 1)
                    + (publicKeyPem == null ? 0 : 1);
            if (sources != 1) {
                throw new IllegalArgumentException(
                        "issuer " + issuer + ": give exactly one of jwks, keys, hs256Secret, publicKeyPem");
            }
            if ((alg != null || kid != null) && (jwks != null || keys != null)) {
                throw new IllegalArgumentException(
                        "issuer " + issuer + ": alg and kid go with hs256Secret or publicKeyPem (or on each of keys)");
            }
            keys = keys == null ? null : List.copyOf(keys);
            if (keys != null) {
                dev.gatehouse.auth.KeySet.of(keys.stream().map(Key::toJwtKey).toList());
            }
            if (hs256Secret != null) {
                new Key(kid, alg == null ? "HS256" : alg, hs256Secret, null).toJwtKey();
            }
            if (publicKeyPem != null) {
                new Key(kid, alg == null ? "RS256" : alg, null, publicKeyPem).toJwtKey();
            }
        }

        /** The issuer's static keys; empty when they come from a JWKS URL. */
        public List<dev.gatehouse.auth.JwtKey> staticKeys() {
            if (keys != null) {
                return keys.stream().map(Key::toJwtKey).toList();
            }
            if (hs256Secret != null) {
                return List.of(new Key(kid, alg == null ? "HS256" : alg, hs256Secret, null).toJwtKey());
            }
            if (publicKeyPem != null) {
                return List.of(new Key(kid, alg == null ? "RS256" : alg, null, publicKeyPem).toJwtKey());
            }
            return List.of();
        }
    }

    /**
     * A static verification key: an HMAC {@code secret} (base64) for HS256/384/512, or a {@code publicKeyPem}
     * for RS, PS, ES (256/384/512) or EdDSA; {@code alg} pins it; {@code kid} optional on every kind.
     */
    public record Key(
            @Nullable String kid,
            String alg,
            @Nullable String secret,
            @Nullable String publicKeyPem) {
        public Key {
            if (alg == null) {
                throw new IllegalArgumentException("alg missing (expected: " + ALGORITHMS + ")");
            }
            if ((secret == null) == (publicKeyPem == null)) {
                throw new IllegalArgumentException("key " + kid + ": give exactly one of secret, publicKeyPem");
            }
            jwtKey(kid, alg, secret, publicKeyPem); // checked here, so that a bad key is reported at its line
        }

        dev.gatehouse.auth.JwtKey toJwtKey() {
            return jwtKey(kid, alg, secret, publicKeyPem);
        }

        private static dev.gatehouse.auth.JwtKey jwtKey(
                @Nullable String kid, String alg, @Nullable String secret, @Nullable String publicKeyPem) {
            dev.gatehouse.auth.JwtAlgorithm algorithm;
            try {
                algorithm = dev.gatehouse.auth.JwtAlgorithm.valueOf(alg);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("alg " + alg + " (expected: " + ALGORITHMS + ")");
            }
            if (secret != null) {
                if (algorithm.family() != dev.gatehouse.auth.JwtAlgorithm.Family.HMAC) {
                    throw new IllegalArgumentException("alg " + alg + " with a secret (expected: HS256, HS384, HS512)");
                }
                byte[] bytes;
                try {
                    bytes = java.util.Base64.getDecoder().decode(secret);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("secret: not base64 (" + e.getMessage() + ")");
                }
                return dev.gatehouse.auth.JwtKey.hmac(kid, algorithm, bytes);
            }
            return dev.gatehouse.auth.JwtKey.fromPem(kid, algorithm, publicKeyPem);
        }
    }

    private static final String ALGORITHMS = java.util.Arrays.stream(dev.gatehouse.auth.JwtAlgorithm.values())
            .map(Enum::name)
            .collect(java.util.stream.Collectors.joining(", "));

    /** An API key, by the SHA-256 of the key (never the key itself). */
    public record ApiKey(
            String sha256,
            String owner,
            String plan,
            @Nullable List<String> scopes) {
        public ApiKey {
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
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
            List<String> upstreams,
            @Nullable String timeout,
            @Nullable Integer retries,
            @Nullable String maxBodySize,
            @Nullable String requestBuffer,
            @Nullable PassiveHealth passiveHealth,
            @Nullable CircuitBreaker circuitBreaker,
            @Nullable String auth,
            @Nullable List<String> scopes,
            @Nullable RateLimit rateLimit,
            @Nullable Compression compression,
            @Nullable Idempotency idempotency,
            @Nullable Decompression requestDecompression,
            @Nullable Boolean stripAuthorization) {
        public RouteConfig {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: a prefix starting with /)");
            }
            if (upstreams == null || upstreams.isEmpty()) {
                throw new IllegalArgumentException("route " + path + ": no upstreams");
            }
            for (String upstream : upstreams) {
                if (!upstream.startsWith("http://")
                        && !upstream.startsWith("https://")
                        && !upstream.equals("builtin:echo")) {
                    throw new IllegalArgumentException(
                            "upstream " + upstream + " (expected: http://…, https://… or builtin:echo)");
                }
            }
            upstreams = List.copyOf(upstreams);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            auth = checkAuth(auth);
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
            @Nullable Compression compression) {
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
            auth = checkAuth(auth);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (timeout != null) {
                duration(timeout);
            }
        }

        public Duration timeoutOrDefault() {
            return timeout == null ? Duration.ofSeconds(2) : duration(timeout);
        }
    }

    private static String checkAuth(@Nullable String auth) {
        String value = auth == null ? "none" : auth;
        if (!List.of("none", "optional", "required").contains(value)) {
            throw new IllegalArgumentException("auth " + value + " (expected: none, optional or required)");
        }
        return value;
    }

    /**
     * Limits per key, with optional limits per plan and a cost per request. Keys: {@code address} (the client
     * address, through {@code trustedProxies}), {@code principal} (else the address), {@code apiKey} (the API
     * key's owner; requests without one share a bucket), {@code route} (one budget for the route), {@code
     * plan} (one budget per plan), {@code header:<Name>} (a request header's value; requests without it share a
     * bucket).
     */
    public record RateLimit(
            @Nullable String key,
            @Nullable Long perSecond,
            @Nullable Long perMinute,
            @Nullable Long perHour,
            @Nullable Long cost,
            @Nullable Map<String, RateLimit> plans) {
        private static final List<String> KEYS = List.of("address", "principal", "apiKey", "route", "plan");

        public RateLimit {
            key = key == null ? "address" : key;
            if (!KEYS.contains(key)) {
                if (!key.startsWith("header:")) {
                    throw new IllegalArgumentException(
                            "key " + key + " (expected: address, principal, apiKey, route, plan or header:<Name>)");
                }
                dev.gatehouse.Headers.checkName(key.substring("header:".length()));
            }
            if (perSecond == null && perMinute == null && perHour == null) {
                throw new IllegalArgumentException("no limit (expected: perSecond, perMinute or perHour)");
            }
            for (Long limit : new Long[] {perSecond, perMinute, perHour}) {
                if (limit != null && limit < 1) {
                    throw new IllegalArgumentException("limit " + limit + " (expected: 1 or more)");
                }
            }
            if (cost != null && cost < 1) {
                throw new IllegalArgumentException("cost " + cost + " (expected: 1 or more tokens per request)");
            }
            plans = plans == null ? Map.of() : Map.copyOf(plans);
        }

        /** Whether the key needs the principal, so the limit runs after authentication. */
        boolean afterAuth() {
            return !key.equals("address") && !key.equals("route") && !key.startsWith("header:");
        }
    }

    /**
     * Response compression: {@code true} for the defaults, or the minimum size, the media types, the level
     * and the codings offered (an object means enabled unless it says {@code enabled: false}).
     */
    public record Compression(
            @Nullable Boolean enabled,
            @Nullable String minSize,
            @Nullable List<String> types,
            @Nullable Integer level,
            @Nullable List<String> codings) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Compression {
            enabled = enabled == null || enabled;
            if (level != null && (level < 1 || level > 9)) {
                throw new IllegalArgumentException("level " + level + " (expected: 1..9)");
            }
            if (minSize != null) {
                size(minSize);
            }
            types = types == null ? null : List.copyOf(types);
            codings = codings == null ? null : List.copyOf(codings);
            for (String coding : codings == null ? List.<String>of() : codings) {
                if (!List.of("gzip", "deflate", "br", "zstd").contains(coding)) {
                    throw new IllegalArgumentException("coding " + coding + " (expected: gzip, deflate, br or zstd)");
                }
            }
        }

        /** {@code compression: true} or {@code false}. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Compression of(boolean enabled) {
            return new Compression(enabled, null, null, null, null);
        }
    }

    /**
     * Idempotency keys: {@code true} for the defaults (POST and PATCH, key optional, 24h), or which methods,
     * whether the key is required (400 without one) and how long a response is kept.
     */
    public record Idempotency(
            @Nullable Boolean enabled,
            @Nullable Boolean required,
            @Nullable List<String> methods,
            @Nullable String ttl) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Idempotency {
            enabled = enabled == null || enabled;
            methods = methods == null ? null : List.copyOf(methods);
            if (methods != null && methods.isEmpty()) {
                throw new IllegalArgumentException("methods: none (expected: e.g. [POST, PATCH])");
            }
            if (ttl != null) {
                duration(ttl);
            }
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Idempotency of(boolean enabled) {
            return new Idempotency(enabled, null, null, null);
        }
    }

    /**
     * Inflates {@code gzip}/{@code deflate} request bodies before the upstream: {@code true} for the defaults,
     * or caps on the inflated size (413 past it) and on the ratio of inflated to sent bytes.
     */
    public record Decompression(
            @Nullable Boolean enabled,
            @Nullable String maxInflated,
            @Nullable Integer maxRatio) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Decompression {
            enabled = enabled == null || enabled;
            if (maxInflated != null && (size(maxInflated) < 1 || size(maxInflated) > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("maxInflated " + maxInflated + " (expected: 1 .. 2GiB)");
            }
            if (maxRatio != null && maxRatio < 1) {
                throw new IllegalArgumentException("maxRatio " + maxRatio + " (expected: 1 or more)");
            }
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Decompression of(boolean enabled) {
            return new Decompression(enabled, null, null);
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String text) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("duration " + text + " (expected: e.g. 500ms, 10s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** {@code 1000} (bytes), {@code 512KiB}, {@code 10MiB}, {@code 1GiB}. */
    static long size(String text) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d{1,12})(|B|KiB|MiB|GiB)").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("size " + text + " (expected: e.g. 1000, 512KiB, 10MiB)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "KiB" -> n * 1024;
            case "MiB" -> n * 1024 * 1024;
            case "GiB" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }
}
