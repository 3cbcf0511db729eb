package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gatehouse.config.AuthConfig;
import dev.gatehouse.config.CacheConfig;
import dev.gatehouse.config.CacheStoreConfig;
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
import dev.gatehouse.config.WebhookConfig;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ratelimit.LocalBucketStore;
import dev.gatehouse.redis.RedisIdempotencyStore;
import dev.gatehouse.redis.RedisTokenBucketStore;
import dev.gatehouse.requestid.RequestIdPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The schema of the gateway's YAML configuration (see {@code examples/gateway.example.yaml} for every key,
 * commented): records that check their own values. The policy part (auth, trusted proxies, the route defaults for
 * CORS, security headers and IP rules, each route's policies, where cached responses live) is Gatehouse's one configuration vocabulary, {@code dev.gatehouse.config}, the same records the Spring Boot
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
        @Nullable IpRulesConfig ipRules,
        @Nullable CacheStoreConfig cache,
        @Nullable RequestId requestId,
        @Nullable IdempotencyStore idempotencyStore,
        @Nullable String trustedProxiesHeader,
        @Nullable RateLimitStore rateLimitStore,
        @Nullable List<String> stripClientHeaders) {

    public GatewayConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        routes = routes == null ? List.of() : List.copyOf(routes);
        aggregations = aggregations == null ? List.of() : List.copyOf(aggregations);
        if (routes.isEmpty() && aggregations.isEmpty()) {
            throw new IllegalArgumentException("no routes (expected: at least one under routes: or aggregations:)");
        }
        // Checked here (the Redis URL, each trusted network) so that a bad value is reported at its line.
        new GatehouseConfig(redis, auth, trustedProxies, List.of(), null, null, null, null, trustedProxiesHeader);
        cache = cache == null ? CacheStoreConfig.ofDefaults() : cache;
        if (cache.redis() && redis == null) {
            throw new IllegalArgumentException(
                    "cache store redis but no redis URL (expected: redis: redis://host:port)");
        }
        if (idempotencyStore != null && idempotencyStore.store().equals("redis") && redis == null) {
            throw new IllegalArgumentException(
                    "idempotencyStore redis but no redis URL (expected: redis: redis://host:port)");
        }
        if (stripClientHeaders != null) {
            stripClientHeaders = List.copyOf(stripClientHeaders);
            ClientHeaderFilter.of(stripClientHeaders);
        }
        if (rateLimitStore != null && rateLimitStore.store().equals("redis") && redis == null) {
            throw new IllegalArgumentException(
                    "rateLimitStore redis but no redis URL (expected: redis: redis://host:port)");
        }
    }

    /** Where idempotency records live: as written, else in Redis when there is one, else in memory. */
    public IdempotencyStore idempotencyStoreOrDefault() {
        return idempotencyStore != null
                ? idempotencyStore
                : new IdempotencyStore(
                        redis == null ? "memory" : "redis", null, null, null, null, null, null, null, null);
    }

    /**
     * The client's request fields removed on every route before any policy runs: as written, else {@code X-User-*},
     * {@code X-Auth-*}, {@code X-Forwarded-*} and {@code X-Real-IP}.
     */
    ClientHeaderFilter clientHeaderFilter() {
        return stripClientHeaders == null ? ClientHeaderFilter.DEFAULT : ClientHeaderFilter.of(stripClientHeaders);
    }

    /** Where rate-limit buckets live: as written, else in Redis when there is one, else in memory. */
    public RateLimitStore rateLimitStoreOrDefault() {
        return rateLimitStore != null
                ? rateLimitStore
                : new RateLimitStore(
                        redis == null ? "memory" : "redis", null, null, null, null, null, null, null, null);
    }

    /**
     * Where every route's rate-limit buckets live: {@code memory} (this instance: at most {@code maxKeys} buckets,
     * 1000000, the least recently used dropped first, and none unused for {@code idleTimeout}, 1h), {@code redis}
     * (the top-level Redis, shared by every instance: keys under {@code keyPrefix}, {@code gatehouse:tb:}, each
     * command bounded by {@code commandTimeout}, 100ms, past which the route's {@code onStoreFailure} decides) or
     * {@code postgres} (bucket4j's PostgreSQL integration: the database at the JDBC {@code url}, in {@code table},
     * created if missing, {@code gatehouse_buckets}, through a pool of at most {@code maxConnections}, 10; rows of
     * buckets that have refilled are deleted every {@code purgeEvery}, 1m).
     */
    public record RateLimitStore(
            String store,
            @Nullable Long maxKeys,
            @Nullable String idleTimeout,
            @Nullable String keyPrefix,
            @Nullable String commandTimeout,
            @Nullable String url,
            @Nullable String table,
            @Nullable Integer maxConnections,
            @Nullable String purgeEvery) {
        public RateLimitStore {
            if (store == null || !List.of("memory", "redis", "postgres").contains(store)) {
                throw new IllegalArgumentException("store " + store + " (expected: memory, redis or postgres)");
            }
            if (!store.equals("memory") && (maxKeys != null || idleTimeout != null)) {
                throw new IllegalArgumentException(
                        "maxKeys and idleTimeout go with store: memory (expected: none with " + store + ")");
            }
            if (!store.equals("redis") && (keyPrefix != null || commandTimeout != null)) {
                throw new IllegalArgumentException(
                        "keyPrefix and commandTimeout go with store: redis (expected: none with " + store + ")");
            }
            if (maxKeys != null && maxKeys < 1) {
                throw new IllegalArgumentException("maxKeys " + maxKeys + " (expected: 1 or more)");
            }
            if (idleTimeout != null && ConfigValues.duration(idleTimeout).isZero()) {
                throw new IllegalArgumentException("idleTimeout " + idleTimeout + " (expected: more than 0)");
            }
            checkRedisSettings(keyPrefix, commandTimeout);
            checkPostgresSettings(store, url, table, purgeEvery, maxConnections);
        }

        public String tableOrDefault() {
            return table == null ? "gatehouse_buckets" : table;
        }

        public int maxConnectionsOrDefault() {
            return maxConnections == null ? 10 : maxConnections;
        }

        /** How often rows of refilled buckets are deleted: {@code purgeEvery}, 1m unless set. */
        public Duration purgeEveryOrDefault() {
            return purgeEvery == null ? Duration.ofMinutes(1) : ConfigValues.duration(purgeEvery);
        }

        /** The in-memory store these settings describe. */
        LocalBucketStore local() {
            LocalBucketStore.Builder builder = LocalBucketStore.builder();
            if (maxKeys != null) {
                builder.maxKeys(maxKeys);
            }
            if (idleTimeout != null) {
                builder.idleTimeout(ConfigValues.duration(idleTimeout));
            }
            return builder.build();
        }

        /** The Redis store at {@code url} these settings describe; concurrent decisions for one key share a call. */
        RedisTokenBucketStore redis(String url) {
            RedisTokenBucketStore.Builder builder =
                    RedisTokenBucketStore.builder(url).batching();
            if (keyPrefix != null) {
                builder.keyPrefix(keyPrefix);
            }
            if (commandTimeout != null) {
                builder.commandTimeout(ConfigValues.duration(commandTimeout));
            }
            return builder.build();
        }
    }

    private static final java.util.regex.Pattern TABLE = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** A PostgreSQL store's URL, table, purge interval and pool size: only with {@code store: postgres}. */
    static void checkPostgresSettings(
            String store,
            @Nullable String url,
            @Nullable String table,
            @Nullable String purgeEvery,
            @Nullable Integer maxConnections) {
        if (store.equals("postgres")) {
            if (url == null || !url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException(
                        "url " + redacted(url) + " (expected: jdbc:postgresql://host:port/database?user=…)");
            }
            if (table != null && !TABLE.matcher(table).matches()) {
                throw new IllegalArgumentException("table " + table + " (expected: a lower-case SQL identifier)");
            }
            if (purgeEvery != null && ConfigValues.duration(purgeEvery).isZero()) {
                throw new IllegalArgumentException("purgeEvery " + purgeEvery + " (expected: more than 0)");
            }
            if (maxConnections != null && (maxConnections < 1 || maxConnections > 1000)) {
                throw new IllegalArgumentException("maxConnections " + maxConnections + " (expected: 1..1000)");
            }
        } else if (url != null || table != null || purgeEvery != null || maxConnections != null) {
            throw new IllegalArgumentException(
                    "url, table, purgeEvery and maxConnections go with store: postgres (expected: none with " + store
                            + ")");
        }
    }

    /** {@code url} without its password, for errors and logs. */
    static String redacted(@Nullable String url) {
        return url == null ? "null" : url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** A Redis store's key prefix (not empty, printable, without spaces) and command timeout (10ms..10s). */
    static void checkRedisSettings(@Nullable String keyPrefix, @Nullable String commandTimeout) {
        if (keyPrefix != null && !keyPrefix.matches("[!-~]{1,64}")) {
            throw new IllegalArgumentException(
                    "keyPrefix " + keyPrefix + " (expected: 1..64 printable characters without spaces)");
        }
        if (commandTimeout != null) {
            Duration timeout = ConfigValues.duration(commandTimeout);
            if (timeout.toMillis() < 10 || timeout.toMillis() > 10_000) {
                throw new IllegalArgumentException("commandTimeout " + commandTimeout + " (expected: 10ms..10s)");
            }
        }
    }

    /**
     * Where every route's idempotency records live: {@code memory} (this instance), {@code redis} (the top-level
     * Redis) or {@code postgres}: the database at the JDBC {@code url}, in {@code table} (created if missing,
     * {@code gatehouse_idempotency}), through a pool of at most {@code maxConnections} (10), expired rows deleted
     * every {@code purgeEvery} (when set). Instances that share the database share the records, without Redis.
     * In memory at most {@code maxKeys} keys (100000) and {@code maxSize} of keys and recorded answers (64MiB) are
     * kept; in Redis the keys start with {@code keyPrefix}
     * ({@code gatehouse:idem:}) and each command is bounded by {@code commandTimeout} (200ms).
     */
    public record IdempotencyStore(
            String store,
            @Nullable String url,
            @Nullable String table,
            @Nullable String purgeEvery,
            @Nullable Integer maxConnections,
            @Nullable Long maxKeys,
            @Nullable String keyPrefix,
            @Nullable String commandTimeout,
            @Nullable String maxSize) {
        public IdempotencyStore {
            if (store == null || !List.of("memory", "redis", "postgres").contains(store)) {
                throw new IllegalArgumentException("store " + store + " (expected: memory, redis or postgres)");
            }
            checkPostgresSettings(store, url, table, purgeEvery, maxConnections);
            if (maxKeys != null && (!store.equals("memory") || maxKeys < 1)) {
                throw new IllegalArgumentException("maxKeys " + maxKeys + " (expected: 1 or more, with store: memory)");
            }
            if (maxSize != null && (!store.equals("memory") || ConfigValues.size(maxSize) < 1024)) {
                throw new IllegalArgumentException(
                        "maxSize " + maxSize + " (expected: 1KiB or more, with store: memory)");
            }
            if ((keyPrefix != null || commandTimeout != null) && !store.equals("redis")) {
                throw new IllegalArgumentException(
                        "keyPrefix and commandTimeout go with store: redis (expected: none with " + store + ")");
            }
            checkRedisSettings(keyPrefix, commandTimeout);
        }

        /** The in-memory store these settings describe. */
        InMemoryIdempotencyStore memory() {
            return InMemoryIdempotencyStore.of(
                    maxKeys == null ? 100_000 : maxKeys,
                    maxSize == null ? InMemoryIdempotencyStore.DEFAULT_MAX_BYTES : ConfigValues.size(maxSize));
        }

        /** The Redis store at {@code url} these settings describe. */
        RedisIdempotencyStore redis(String url) {
            RedisIdempotencyStore.Builder builder = RedisIdempotencyStore.builder(url);
            if (keyPrefix != null) {
                builder.keyPrefix(keyPrefix);
            }
            if (commandTimeout != null) {
                builder.commandTimeout(ConfigValues.duration(commandTimeout));
            }
            return builder.build();
        }

        public String tableOrDefault() {
            return table == null ? "gatehouse_idempotency" : table;
        }

        public int maxConnectionsOrDefault() {
            return maxConnections == null ? 10 : maxConnections;
        }
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
                ipRules,
                cache,
                trustedProxiesHeader);
    }

    /** The request id every route starts with; the defaults unless {@code requestId} is set. */
    public RequestIdPolicy requestIdPolicy() {
        return requestId == null ? RequestIdPolicy.ofDefaults() : requestId.toPolicy();
    }

    /**
     * The request id every route and aggregation starts with: the field it is read from and written to ({@code
     * header}, {@code X-Request-Id}), the longest client id kept ({@code maxLength}, 16..1024, 128; a longer or
     * malformed one is replaced), and whether a trace started here is sampled ({@code sampleStartedTraces}, true).
     */
    public record RequestId(
            @Nullable String header,
            @Nullable Integer maxLength,
            @Nullable Boolean sampleStartedTraces) {
        public RequestId {
            policy(header, maxLength, sampleStartedTraces); // every value checked where it is written
        }

        RequestIdPolicy toPolicy() {
            return policy(header, maxLength, sampleStartedTraces);
        }

        private static RequestIdPolicy policy(
                @Nullable String header, @Nullable Integer maxLength, @Nullable Boolean sampleStartedTraces) {
            RequestIdPolicy.Builder builder = RequestIdPolicy.builder();
            if (header != null) {
                builder.headerName(header);
            }
            if (maxLength != null) {
                builder.maxLength(maxLength);
            }
            if (sampleStartedTraces != null) {
                builder.sampleStartedTraces(sampleStartedTraces);
            }
            return builder.build();
        }
    }

    public Listen listenOrDefault() {
        return listen == null ? new Listen(null, null, null, null, null, null, null, null, null) : listen;
    }

    /**
     * Where the gateway listens: HTTP/1.1 and h2c on {@code port} (127.0.0.1:8080 by default), and with {@code
     * tlsPort} also HTTPS with HTTP/2, from a PKCS#12 {@code keystore} (or, without one, a generated self-signed
     * certificate — for trying things out only), optionally asking clients for certificates ({@code tls}). On
     * SIGTERM the gateway stops accepting and gives requests in flight {@code shutdownGrace} (30s by default) to
     * finish. An HTTP/1.1 client has {@code requestHeaderTimeout} (30s) to send a request's head once it began, and
     * a connection without a byte either way for {@code idleTimeout} (30s) is closed.
     */
    public record Listen(
            @Nullable String host,
            @Nullable Integer port,
            @Nullable Integer tlsPort,
            @Nullable String keystore,
            @Nullable String keystorePassword,
            @Nullable String shutdownGrace,
            @Nullable Tls tls,
            @Nullable String requestHeaderTimeout,
            @Nullable String idleTimeout) {
        public Listen {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 8080 : port;
            shutdownGrace = shutdownGrace == null ? "30s" : shutdownGrace;
            duration(shutdownGrace);
            requestHeaderTimeout = requestHeaderTimeout == null ? "30s" : requestHeaderTimeout;
            idleTimeout = idleTimeout == null ? "30s" : idleTimeout;
            for (String timeout : new String[] {requestHeaderTimeout, idleTimeout}) {
                if (duration(timeout).isZero()) {
                    throw new IllegalArgumentException("timeout " + timeout + " (expected: more than 0)");
                }
            }
            for (Integer p : new Integer[] {port, tlsPort}) {
                if (p != null && (p < 0 || p > 65535)) {
                    throw new IllegalArgumentException("port " + p + " (expected: 0..65535)");
                }
            }
            if (keystore != null && (tlsPort == null || keystorePassword == null)) {
                throw new IllegalArgumentException("keystore needs tlsPort and keystorePassword");
            }
            if (tls != null && tls.clientAuthMode() != Gateway.ClientAuth.NONE && tlsPort == null) {
                throw new IllegalArgumentException("tls.clientAuth " + tls.clientAuth() + " needs tlsPort");
            }
        }
    }

    /**
     * Client certificates on the TLS listener: {@code clientAuth} {@code none} (the default), {@code request} (asked
     * for; a client without one connects and the route's authentication decides) or {@code require} (the handshake
     * fails without one), verified against the CAs in {@code trustStore} ({@code PKCS12} by default, or {@code
     * JKS}). The store is read when the file is loaded, so a wrong path or password is reported at its line.
     */
    public record Tls(
            @Nullable String clientAuth,
            @Nullable String trustStore,
            @Nullable String trustStorePassword,
            @Nullable String trustStoreType) {
        public Tls {
            clientAuth = clientAuth == null ? "none" : clientAuth;
            trustStoreType = trustStoreType == null ? "PKCS12" : trustStoreType;
            clientAuthMode(clientAuth);
            if (!trustStoreType.equalsIgnoreCase("PKCS12") && !trustStoreType.equalsIgnoreCase("JKS")) {
                throw new IllegalArgumentException("trustStoreType " + trustStoreType + " (expected: PKCS12 or JKS)");
            }
            if (trustStore == null && !clientAuth.equals("none")) {
                throw new IllegalArgumentException(
                        "clientAuth " + clientAuth + " needs trustStore (expected: the CAs of client certificates)");
            }
            if (trustStore != null) {
                loadTrustStore(trustStore, trustStorePassword, trustStoreType);
            }
        }

        Gateway.ClientAuth clientAuthMode() {
            return clientAuthMode(clientAuth);
        }

        private static Gateway.ClientAuth clientAuthMode(String clientAuth) {
            return switch (clientAuth) {
                case "none" -> Gateway.ClientAuth.NONE;
                case "request" -> Gateway.ClientAuth.REQUEST;
                case "require" -> Gateway.ClientAuth.REQUIRE;
                default ->
                    throw new IllegalArgumentException(
                            "clientAuth " + clientAuth + " (expected: none, request or require)");
            };
        }

        /** The trust store, read afresh. */
        KeyStore loadTrustStore() {
            return loadTrustStore(requireNonNull(trustStore, "trustStore"), trustStorePassword, trustStoreType);
        }

        private static KeyStore loadTrustStore(String path, @Nullable String password, String type) {
            try (InputStream in = Files.newInputStream(Path.of(path))) {
                KeyStore store = KeyStore.getInstance(type.toUpperCase(Locale.ROOT));
                store.load(in, password == null ? null : password.toCharArray());
                if (store.size() == 0) {
                    throw new IllegalArgumentException("trustStore " + path + " is empty (expected: CA certificates)");
                }
                return store;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException(
                        "trustStore " + path + ": " + e.getMessage() + " (expected: a readable " + type
                                + " store; check trustStorePassword)",
                        e);
            }
        }
    }

    /**
     * The admin port: the live console at {@code /}, {@code /admin/status} (JSON) and {@code /metrics}
     * (Prometheus), read-only. On loopback (127.0.0.1 by default) it needs no token; on any other address it must
     * have one — {@code token} (at least 16 characters) or {@code tokenFile} (a file holding it; surrounding
     * whitespace ignored) — which clients send as {@code Authorization: Bearer <token>} or type into the console's
     * login form.
     */
    public record Admin(
            @Nullable String host,
            @Nullable Integer port,
            @Nullable String token,
            @Nullable String tokenFile) {
        static final int MIN_TOKEN_LENGTH = 16;

        public Admin {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 9090 : port;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " (expected: 0..65535)");
            }
            if (token != null && tokenFile != null) {
                throw new IllegalArgumentException("token and tokenFile both set (expected: one of them)");
            }
            if (tokenFile != null) {
                token = readToken(tokenFile);
                tokenFile = null;
            }
            if (token != null && token.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException(
                        "token of " + token.length() + " characters (expected: at least " + MIN_TOKEN_LENGTH + ")");
            }
            if (token == null && !AdminAccess.isLoopback(host)) {
                throw new IllegalArgumentException("host " + host + " is not loopback and there is no token "
                        + "(expected: host 127.0.0.1, or token or tokenFile)");
            }
        }

        private static String readToken(String tokenFile) {
            try {
                return java.nio.file.Files.readString(java.nio.file.Path.of(tokenFile))
                        .strip();
            } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException(
                        "tokenFile " + tokenFile + " cannot be read (" + e.getMessage() + ")");
            }
        }

        /** Never shows the token. */
        @Override
        public String toString() {
            return "Admin[host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "set") + "]";
        }
    }

    /**
     * One route: which requests (path prefix, and optionally host and header values), where they go
     * (upstreams, timeout, retries, passive and active health, circuit breaker, body limit, WebSocket) and the
     * policies they pass.
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
            @Nullable WebhookConfig webhook,
            @Nullable Boolean stripPrefix,
            @Nullable Rewrite rewrite,
            GatewayRoute.@Nullable Pin pin,
            @Nullable WebSocket websocket,
            @Nullable ActiveHealth activeHealth,
            @Nullable CacheConfig cache,
            @Nullable List<String> methods) {
        public RouteConfig {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: a prefix starting with /)");
            }
            if (methods != null) {
                if (methods.isEmpty()) {
                    throw new IllegalArgumentException("methods: [] (expected: at least one, or no methods: for any)");
                }
                methods.forEach(GatewayRoute::checkMethod);
            }
            methods = methods == null ? List.of() : List.copyOf(methods);
            if (upstreams == null || upstreams.isEmpty()) {
                throw new IllegalArgumentException("route " + path + ": no upstreams");
            }
            upstreams = List.copyOf(upstreams);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            dev.gatehouse.config.RouteConfig.checkPath(path);
            auth = dev.gatehouse.config.RouteConfig.authOrDefault(auth);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            dev.gatehouse.config.RouteConfig.checkScopes(auth, scopes);
            if (timeout != null && duration(timeout).isZero()) {
                throw new IllegalArgumentException("timeout " + timeout + " (expected: more than 0)");
            }
            checkLeases(timeout == null ? Duration.ofSeconds(30) : duration(timeout), idempotency, webhook);
            checkTransforms(headerTransforms);
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
        /**
         * What tells this route from the others (path, host, header matches, methods): its rate limit counts in
         * buckets of its own, the same on every instance that has the route.
         */
        public String scope() {
            return path + " host=" + host + " headers="
                    + (headers == null ? Map.of() : new java.util.TreeMap<>(headers)) + " methods=" + methods();
        }

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
                    webhook,
                    cache);
        }

        /**
         * An idempotency claim, or a webhook delivery's replay claim, must outlast the request it guards: a retry
         * arriving while the first is still running would otherwise find the key free and run it again.
         */
        private static void checkLeases(
                Duration timeout, @Nullable IdempotencyConfig idempotency, @Nullable WebhookConfig webhook) {
            if (idempotency != null && idempotency.enabled()) {
                String lease = idempotency.lease();
                Duration held = lease == null ? Duration.ofMinutes(1) : duration(lease);
                if (held.compareTo(timeout) <= 0) {
                    throw new IllegalArgumentException(
                            "idempotency.lease " + (lease == null ? "1m (the default)" : lease)
                                    + " (expected: longer than the route's timeout, " + timeout.toSeconds() + "s)");
                }
            }
            if (webhook != null
                    && webhook.replayLease() != null
                    && duration(webhook.replayLease()).compareTo(timeout) <= 0) {
                throw new IllegalArgumentException("webhook.replayLease " + webhook.replayLease()
                        + " (expected: longer than the route's timeout, " + timeout.toSeconds() + "s)");
            }
        }

        /** The gateway writes the forwarding fields itself, after the transforms: a value set for one would be lost. */
        private static void checkTransforms(@Nullable HeaderTransformsConfig transforms) {
            if (transforms == null || transforms.request() == null) {
                return;
            }
            List<String> named = new ArrayList<>(transforms.request().add().keySet());
            named.addAll(transforms.request().set().keySet());
            for (String name : named) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.startsWith("x-forwarded-") || lower.equals("forwarded") || lower.equals("via")) {
                    throw new IllegalArgumentException("headerTransforms.request: " + name
                            + " (expected: none of X-Forwarded-*, Forwarded, Via: the gateway writes them)");
                }
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
            if (!url.equals("builtin:echo")) {
                java.net.URI uri;
                try {
                    uri = java.net.URI.create(url);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("upstream " + url + " is not a URL: " + e.getMessage(), e);
                }
                GatewayRoute.checkUpstream(uri);
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

    /**
     * WebSocket on a route: {@code websocket: true}, or {@code {idleTimeout: 5m, maxLifetime: 24h}} (the
     * defaults); {@code false} or {@code enabled: false} leaves it off, as on every route that does not say.
     */
    public record WebSocket(
            @Nullable Boolean enabled,
            @Nullable String idleTimeout,
            @Nullable String maxLifetime) {
        public WebSocket {
            settings(enabled, idleTimeout, maxLifetime);
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static WebSocket of(boolean enabled) {
            return new WebSocket(enabled, null, null);
        }

        GatewayRoute.@Nullable WebSocket toSettings() {
            return settings(enabled, idleTimeout, maxLifetime);
        }

        private static GatewayRoute.@Nullable WebSocket settings(
                @Nullable Boolean enabled, @Nullable String idleTimeout, @Nullable String maxLifetime) {
            if (enabled != null && !enabled) {
                return null;
            }
            GatewayRoute.WebSocket defaults = GatewayRoute.WebSocket.DEFAULT;
            return new GatewayRoute.WebSocket(
                    idleTimeout == null ? defaults.idleTimeout() : duration(idleTimeout),
                    maxLifetime == null ? defaults.maxLifetime() : duration(maxLifetime));
        }
    }

    /**
     * Active health: each upstream gets {@code GET path} every {@code interval}, answered within {@code timeout};
     * {@code unhealthyThreshold} bad probes in a row eject it, {@code healthyThreshold} good ones readmit it.
     * Every key is optional (defaults: {@code /health}, 10s, 2s, 2, 3).
     */
    public record ActiveHealth(
            @Nullable String path,
            @Nullable String interval,
            @Nullable String timeout,
            @Nullable Integer healthyThreshold,
            @Nullable Integer unhealthyThreshold) {
        public ActiveHealth {
            settings(path, interval, timeout, healthyThreshold, unhealthyThreshold);
        }

        GatewayRoute.ActiveHealth toSettings() {
            return settings(path, interval, timeout, healthyThreshold, unhealthyThreshold);
        }

        private static GatewayRoute.ActiveHealth settings(
                @Nullable String path,
                @Nullable String interval,
                @Nullable String timeout,
                @Nullable Integer healthyThreshold,
                @Nullable Integer unhealthyThreshold) {
            GatewayRoute.ActiveHealth defaults = GatewayRoute.ActiveHealth.DEFAULT;
            return new GatewayRoute.ActiveHealth(
                    path == null ? defaults.path() : path,
                    interval == null ? defaults.interval() : duration(interval),
                    timeout == null ? defaults.timeout() : duration(timeout),
                    healthyThreshold == null ? defaults.healthyThreshold() : healthyThreshold,
                    unhealthyThreshold == null ? defaults.unhealthyThreshold() : unhealthyThreshold);
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
                    path, null, auth, scopes, null, compression, null, null, null, null, null, null, null, null, null);
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
