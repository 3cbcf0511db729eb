package dev.gatehouse.examples.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.ClientAddress;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.bucket4j.ProxyManagerBucketStore;
import dev.gatehouse.cache.BackgroundRefresh;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.config.CacheStoreConfig;
import dev.gatehouse.config.ClientAddressPolicy;
import dev.gatehouse.config.RouteTableFactory;
import dev.gatehouse.examples.backends.BuiltinBackends;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.jdbc.PostgresIdempotencyStore;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.metrics.MicrometerChainListener;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.redis.RedisHttpCacheStore;
import dev.gatehouse.requestid.RequestIdPolicy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link GatewayConfig} into routes and policy chains; owns the built-in backends and the Redis stores,
 * which are created once per Redis URL and kept across reloads (the cache's Redis store when the first
 * configuration that keeps responses in that Redis is built), and closed with the factory.
 */
final class GatewayFactory implements AutoCloseable {
    /** The configuration's request id; every chain the configuration builds starts with it. */
    private RequestIdPolicy requestIds = RequestIdPolicy.ofDefaults();

    private static final Logger LOG = LoggerFactory.getLogger(GatewayFactory.class);

    private final AccessLogPolicy accessLog = AccessLogPolicy.ofDefaults();
    private @Nullable BuiltinBackends builtins;
    /**
     * Every bucket and record store a configuration has named, by where it is and its settings (the Redis URL, or
     * none for memory): a reload that names the same one keeps it and what it holds.
     */
    private final Map<StoreKey, BucketStore> bucketStores = new HashMap<>();

    private final Map<StoreKey, IdempotencyStore> recordStores = new HashMap<>();
    private final Map<String, RedisHttpCacheStore> redisCaches = new HashMap<>();
    /** Every cached route's responses, kept across reloads that leave the top-level cache and redis alone. */
    private volatile HttpCacheStore cache = InMemoryHttpCacheStore.of(RouteTableFactory.DEFAULT_CACHE_BYTES);

    private @Nullable CacheStoreConfig cacheBuiltFrom;
    private @Nullable String cacheRedisUrl;

    private final @Nullable MicrometerChainListener metrics;
    private final @Nullable MeterRegistry registry;
    private final List<Meter> storeMeters = new ArrayList<>();
    /** One PostgreSQL idempotency store per URL and table, with its pool; kept across reloads. */
    private final Map<String, PostgresRecords> postgres = new HashMap<>();

    private String idempotencyKind = "in-memory";

    /** A PostgreSQL idempotency store and the pool it draws from. */
    private record PostgresRecords(PostgresIdempotencyStore store, HikariDataSource pool) {}

    /** One PostgreSQL bucket store per URL and table, with its pool and the thread that deletes refilled rows. */
    private final Map<String, PostgresBuckets> postgresBuckets = new HashMap<>();

    private record PostgresBuckets(BucketStore store, HikariDataSource pool, ScheduledExecutorService purger) {}

    private final Map<String, RateLimitPolicy> rateLimits = new LinkedHashMap<>();
    private final Map<String, IdempotencyPolicy> idempotency = new LinkedHashMap<>();
    private String storeKind = "local";
    private ClientAddress clients = ClientAddress.direct();

    /** A store's place (a Redis URL, or none for this process's memory) and settings. */
    private record StoreKey(@Nullable String redisUrl, Record settings) {}

    /** Where cached routes send their background refreshes: the running gateway, once it has started. */
    private volatile @Nullable BackgroundRefresh loopback;

    /** With {@code registry} the chains record into Micrometer. */
    GatewayFactory(@Nullable MeterRegistry registry) {
        this.registry = registry;
        this.metrics = registry == null ? null : new MicrometerChainListener(registry);
    }

    /** Cached routes refresh their responses through {@code loopback} from now on. */
    void refreshThrough(BackgroundRefresh loopback) {
        this.loopback = loopback;
    }

    private CompletionStage<?> refresh(URI target, Headers headers) {
        BackgroundRefresh through = loopback;
        return through == null
                ? CompletableFuture.failedFuture(new IllegalStateException("the gateway has not started"))
                : through.refresh(target, headers);
    }

    /** What one configuration describes. */
    record Built(List<GatewayRoute> routes, List<Gateway.Aggregation> aggregations) {}

    /**
     * The stores the running configuration uses (by identity). A build that succeeds replaces them, and the stores
     * no longer used are closed after {@link #retireAfter} (requests still running on the routes before may use them
     * meanwhile); those a failed build opened are closed at once.
     */
    private Set<Object> running = newIdentitySet();

    private Set<Object> touched = newIdentitySet();

    /** How long a store no configuration uses stays open for the requests that began before it was replaced. */
    private Duration retireAfter = Duration.ofMinutes(2);

    private @Nullable ScheduledExecutorService retirer;
    private final List<AutoCloseable> retiring = new ArrayList<>();

    private static Set<Object> newIdentitySet() {
        return java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    /**
     * The routes a configuration describes; stores and backends it needs are created once and reused while
     * configurations name them, and closed once none does.
     */
    synchronized Built build(GatewayConfig config) throws Exception {
        touched = newIdentitySet();
        Built built;
        try {
            built = buildStores(config);
        } catch (Exception | Error e) {
            // Nothing of a configuration that fails stays open: what it opened goes, what runs stays.
            retireAllBut(running, Duration.ZERO);
            throw e;
        }
        running = touched;
        retireAllBut(running, retireAfter);
        return built;
    }

    /** Stores no configuration uses any more close this long after (2 minutes unless set). */
    synchronized void retireAfter(Duration delay) {
        this.retireAfter = delay;
    }

    /** Closes, after {@code delay}, every store not in {@code keep}, and forgets it. */
    private void retireAllBut(Set<Object> keep, Duration delay) {
        List<AutoCloseable> retired = new ArrayList<>();
        bucketStores.values().removeIf(store -> retire(store, keep, retired));
        recordStores.values().removeIf(store -> retire(store, keep, retired));
        redisCaches.values().removeIf(store -> retire(store, keep, retired));
        postgresBuckets
                .values()
                .removeIf(buckets -> !keep.contains(buckets.store())
                        && retired.add(() -> {
                            buckets.purger().shutdownNow();
                            buckets.pool().close();
                        }));
        postgres.values()
                .removeIf(records -> !keep.contains(records.store())
                        && retired.add(() -> {
                            records.store().close();
                            records.pool().close();
                        }));
        if (retired.isEmpty()) {
            return;
        }
        LOG.info("{} store(s) no configuration uses close in {} s", retired.size(), delay.toSeconds());
        retiring.addAll(retired);
        if (retirer == null) {
            retirer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "gatehouse-store-retirer");
                thread.setDaemon(true);
                return thread;
            });
        }
        retirer.schedule(() -> closeRetired(retired), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static boolean retire(Object store, Set<Object> keep, List<AutoCloseable> retired) {
        if (keep.contains(store)) {
            return false;
        }
        if (store instanceof AutoCloseable closeable) {
            retired.add(closeable);
        }
        return true;
    }

    private void closeRetired(List<AutoCloseable> stores) {
        synchronized (this) {
            if (!retiring.removeAll(stores)) {
                return; // closed by close() already
            }
        }
        for (AutoCloseable store : stores) {
            try {
                store.close();
            } catch (Exception e) {
                LOG.warn("closing a store no configuration uses failed: {}", e.toString());
            }
        }
    }

    private Built buildStores(GatewayConfig config) throws Exception {
        requestIds = config.requestIdPolicy();
        // Every store is created once and kept across reloads: a reload must not reset every limit, nor forget the
        // requests already answered (a retry after a reload would run a payment twice).
        String redisUrl = config.redis();
        GatewayConfig.RateLimitStore bucketsIn = config.rateLimitStoreOrDefault();
        BucketStore buckets = switch (bucketsIn.store()) {
            case "redis" ->
                bucketStores.computeIfAbsent(
                        new StoreKey(redisUrl, bucketsIn), key -> bucketsIn.redis(Objects.requireNonNull(redisUrl)));
            case "postgres" -> postgresBuckets(bucketsIn);
            default -> bucketStores.computeIfAbsent(new StoreKey(null, bucketsIn), key -> bucketsIn.local());
        };
        GatewayConfig.IdempotencyStore recordsIn = config.idempotencyStoreOrDefault();
        IdempotencyStore records = switch (recordsIn.store()) {
            case "redis" ->
                recordStores.computeIfAbsent(
                        new StoreKey(redisUrl, recordsIn), key -> recordsIn.redis(Objects.requireNonNull(redisUrl)));
            case "postgres" -> postgres(recordsIn);
            default -> recordStores.computeIfAbsent(new StoreKey(null, recordsIn), key -> recordsIn.memory());
        };
        touched.add(buckets);
        touched.add(records);
        idempotencyKind = recordsIn.store().equals("memory") ? "in-memory" : recordsIn.store();
        CacheStoreConfig caching = config.policies().cache();
        String cacheUrl = caching.redis() ? config.redis() : null;
        HttpCacheStore cache = cacheFor(caching, cacheUrl);
        RouteTableFactory policies =
                RouteTableFactory.of(config.policies(), buckets, records, cache).backgroundRefresh(this::refresh);
        ClientAddress clients = policies.clientAddress();
        Map<String, RateLimitPolicy> newRateLimits = new LinkedHashMap<>();
        Map<String, IdempotencyPolicy> newIdempotency = new LinkedHashMap<>();
        List<GatewayRoute> routes = new ArrayList<>();
        for (GatewayConfig.RouteConfig route : config.routes()) {
            PolicyChain chain = policies.chain(route.policies(), outer(clients), route.scope());
            List<URI> upstreams = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            for (GatewayConfig.UpstreamConfig upstream : route.upstreams()) {
                upstreams.add(upstream.url().startsWith("builtin:") ? builtin() : URI.create(upstream.url()));
                weights.add(upstream.weight());
            }
            GatewayRoute built = new GatewayRoute(
                    route.path(),
                    route.host(),
                    route.headers(),
                    upstreams,
                    chain,
                    route.timeoutOrDefault(),
                    route.retries() == null ? 0 : route.retries(),
                    route.maxBodyBytes(),
                    route.requestBufferBytes(),
                    route.passiveHealth() == null
                            ? GatewayRoute.PassiveHealth.DEFAULT
                            : route.passiveHealth().toSettings(),
                    route.circuitBreaker() == null
                            ? null
                            : route.circuitBreaker().toSettings(),
                    route.stripPrefixOrDefault(),
                    route.rewrite() == null ? null : route.rewrite().toSettings(),
                    weights,
                    route.pin(),
                    route.websocket() == null ? null : route.websocket().toSettings(),
                    route.activeHealth() == null ? null : route.activeHealth().toSettings(),
                    Set.copyOf(route.methods()));
            routes.add(built);
            for (int i = 0; i < chain.size(); i++) {
                if (chain.policy(i) instanceof RateLimitPolicy limiter) {
                    newRateLimits.put(built.describe(), limiter);
                } else if (chain.policy(i) instanceof IdempotencyPolicy idempotent) {
                    newIdempotency.put(built.describe(), idempotent);
                }
            }
        }
        List<Gateway.Aggregation> aggregations = new ArrayList<>();
        for (GatewayConfig.AggregationConfig aggregation : config.aggregations()) {
            PolicyChain chain =
                    policies.chain(aggregation.policies(), outer(clients), "aggregation " + aggregation.path());
            Map<String, URI> parts = new LinkedHashMap<>();
            for (Map.Entry<String, String> part : aggregation.parts().entrySet()) {
                parts.put(part.getKey(), part(part.getValue()));
            }
            aggregations.add(new Gateway.Aggregation(aggregation.path(), parts, chain, aggregation.timeoutOrDefault()));
        }
        rateLimits.clear();
        rateLimits.putAll(newRateLimits);
        idempotency.clear();
        idempotency.putAll(newIdempotency);
        storeKind = bucketsIn.store().equals("memory") ? "local" : bucketsIn.store();
        this.clients = clients;
        this.cache = cache;
        this.cacheBuiltFrom = caching;
        this.cacheRedisUrl = cacheUrl;
        bindStoreHealth();
        return new Built(routes, aggregations);
    }

    /**
     * The cache store {@code caching} describes: the running one when neither the cache nor its Redis URL changed
     * (a new one takes over only once the whole configuration has been built).
     */
    private HttpCacheStore cacheFor(CacheStoreConfig caching, @Nullable String url) {
        RedisHttpCacheStore shared = url == null
                ? null
                : redisCaches.computeIfAbsent(
                        redisCacheKey(url, caching),
                        key -> caching.configure(RedisHttpCacheStore.builder(url))
                                .build());
        if (shared != null) {
            touched.add(shared);
        }
        if (caching.equals(cacheBuiltFrom) && Objects.equals(url, cacheRedisUrl)) {
            return cache;
        }
        return caching.open(shared);
    }

    /** One Redis cache store per URL and settings: a reload that changes neither keeps the running one. */
    private static String redisCacheKey(String url, CacheStoreConfig caching) {
        return url + " " + caching.keepStale() + " " + caching.maxEntrySize() + " " + caching.keyPrefix();
    }

    /**
     * The PostgreSQL store {@code where} names: the running one for the same URL and table, else a new one over a
     * new pool (the table is created if missing).
     *
     * @throws IllegalStateException when the database cannot be reached or the table cannot be created
     */
    private IdempotencyStore postgres(GatewayConfig.IdempotencyStore where) {
        String url = java.util.Objects.requireNonNull(where.url(), "url");
        String key = url + " " + where.tableOrDefault();
        PostgresRecords running = postgres.get(key);
        if (running != null) {
            return running.store();
        }
        HikariDataSource dataSource = pool(url, "gatehouse-idempotency", where.maxConnectionsOrDefault());
        try {
            PostgresIdempotencyStore.Builder builder =
                    PostgresIdempotencyStore.builder(dataSource).table(where.tableOrDefault());
            if (where.purgeEvery() != null) {
                builder.purgeEvery(GatewayConfig.duration(where.purgeEvery()));
            }
            PostgresIdempotencyStore store = builder.build();
            postgres.put(key, new PostgresRecords(store, dataSource));
            return store;
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * The PostgreSQL bucket store {@code where} names (bucket4j's own, over a pool of its own): the running one for
     * the same URL and table, else a new one (the table is created if missing). Rows of buckets that have refilled
     * expire and are deleted every {@code purgeEvery}.
     *
     * @throws IllegalStateException when the database cannot be reached or the table cannot be created
     */
    private BucketStore postgresBuckets(GatewayConfig.RateLimitStore where) {
        String url = Objects.requireNonNull(where.url(), "url");
        String key = url + " " + where.tableOrDefault();
        PostgresBuckets running = postgresBuckets.get(key);
        if (running != null) {
            return running.store();
        }
        HikariDataSource dataSource = pool(url, "gatehouse-buckets", where.maxConnectionsOrDefault());
        try {
            try (java.sql.Connection connection = dataSource.getConnection();
                    java.sql.Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS " + where.tableOrDefault()
                        + " (id text PRIMARY KEY, state bytea, expires_at bigint)");
            }
            PostgreSQLSelectForUpdateBasedProxyManager<String> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(
                            dataSource)
                    .primaryKeyMapper(PrimaryKeyMapper.STRING)
                    .table(where.tableOrDefault())
                    .requestTimeout(Duration.ofSeconds(1))
                    .expirationAfterWrite(
                            ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(1)))
                    .build();
            ScheduledExecutorService purger = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "gatehouse-buckets-purge");
                thread.setDaemon(true);
                return thread;
            });
            long every = where.purgeEveryOrDefault().toMillis();
            purger.scheduleWithFixedDelay(() -> purgeRefilled(proxies), every, every, TimeUnit.MILLISECONDS);
            BucketStore store = ProxyManagerBucketStore.of(proxies);
            postgresBuckets.put(key, new PostgresBuckets(store, dataSource, purger));
            return store;
        } catch (java.sql.SQLException | RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException(
                    "PostgreSQL at " + GatewayConfig.redacted(url) + ": cannot create table " + where.tableOrDefault()
                            + ": " + rootMessage(e),
                    e);
        }
    }

    /** Deletes the rows of buckets that have refilled, a thousand at a time. */
    private static void purgeRefilled(PostgreSQLSelectForUpdateBasedProxyManager<String> proxies) {
        try {
            while (proxies.removeExpired(1_000) == 1_000) {
                // another batch
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the rows of refilled rate-limit buckets: {}", rootMessage(e));
        }
    }

    /**
     * A pool of at most {@code size} connections to {@code url}: a connection is waited for at most a second, and
     * a database that cannot be reached at start stops the start.
     *
     * @throws IllegalStateException when the database cannot be reached
     */
    private static HikariDataSource pool(String url, String name, int size) {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(url);
        pool.setPoolName(name);
        pool.setMaximumPoolSize(size);
        pool.setMinimumIdle(Math.min(2, size));
        pool.setConnectionTimeout(1_000);
        pool.setInitializationFailTimeout(2_000);
        // A query that hangs (a lock, a dying server) fails after 5 s rather than holding a request for ever; a
        // socketTimeout in the URL wins.
        pool.addDataSourceProperty("socketTimeout", "5");
        try {
            return new HikariDataSource(pool);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "PostgreSQL at " + GatewayConfig.redacted(url) + " is unreachable: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    /** What every chain starts with, before the route's own policies. */
    private PolicyChain outer(ClientAddress clients) {
        PolicyChain.Builder chain = PolicyChain.builder()
                .add("request-id", requestIds)
                .add("client-address", ClientAddressPolicy.of(clients))
                .add("access-log", accessLog);
        if (metrics != null) {
            chain.listener(metrics);
        }
        return chain.build();
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
        RedisHttpCacheStore redisCache = redisCache();
        if (redisCache != null) {
            metrics.bindStoreHealth("cache", redisCache);
        }
        for (Meter meter : registry.getMeters()) {
            if (!before.contains(meter)) {
                storeMeters.add(meter);
            }
        }
    }

    /** The Redis store the cached routes use, when they use one. */
    private @Nullable RedisHttpCacheStore redisCache() {
        return cacheRedisUrl == null || cacheBuiltFrom == null
                ? null
                : redisCaches.get(redisCacheKey(cacheRedisUrl, cacheBuiltFrom));
    }

    /** The cached routes' store, for the admin port's purges. */
    HttpCacheStore cacheStore() {
        return cache;
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
                        idempotencyKind,
                        "down",
                        idempotency.values().stream()
                                .anyMatch(policy -> policy.storeHealth().down())));
        RedisHttpCacheStore redisCache = redisCache();
        status.put(
                "cache",
                Map.of(
                        "kind",
                        redisCache == null ? "in-memory" : "redis",
                        "down",
                        redisCache != null && redisCache.down()));
        return status;
    }

    PolicyChain otherwise() {
        return outer(clients);
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
        List<AutoCloseable> retired;
        synchronized (this) {
            retired = new ArrayList<>(retiring);
            retiring.clear();
            if (retirer != null) {
                retirer.shutdownNow();
            }
        }
        for (AutoCloseable store : retired) {
            store.close();
        }
        for (BucketStore store : bucketStores.values()) {
            if (store instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        for (IdempotencyStore store : recordStores.values()) {
            if (store instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        for (RedisHttpCacheStore store : redisCaches.values()) {
            store.close();
        }
        for (PostgresBuckets buckets : postgresBuckets.values()) {
            buckets.purger().shutdownNow();
            buckets.pool().close();
        }
        for (PostgresRecords records : postgres.values()) {
            records.store().close();
            records.pool().close();
        }
    }
}
