package dev.gatehouse.redis;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.StoreHealth;
import dev.gatehouse.cache.CachedResponse;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.internal.StoreBreaker;
import dev.gatehouse.internal.Throwables;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP cache's responses in Redis, shared by every gateway instance (standalone, Sentinel or Cluster URLs, as
 * {@link RedisConnection} opens them).
 *
 * <ul>
 *   <li>One Redis hash per primary key, {@code keyPrefix + key}: a field per variant (its {@code Vary} names and
 *       their values), each a compact binary {@link CachedResponse} (no Java serialization). Every command
 *       touches that one key, so a Cluster needs no hash tags. A put is one script: it replaces the variant,
 *       starts the key afresh past {@value #MAX_VARIANTS} variants, and extends the key's expiry to what the
 *       response can still be served ({@link CachedResponse#servableFor}), never shortening a longer-lived
 *       variant's ({@code keepStale} longer, when set, for revalidation). A response with nothing left to serve, or
 *       larger than {@code maxEntryBytes}, is not written.
 *   <li>{@link #removeByPrefix} walks the keys with {@code SCAN} (on every master of a Cluster), never {@code
 *       KEYS}, and deletes those found.
 *   <li>Ages count from the first store time on any instance, so the instances' clocks should agree.
 *   <li>A cache must never turn an outage into errors: while Redis fails, reads are misses and writes are dropped
 *       — nothing throws. After a failure Redis is left alone for {@code breakerWindow} (one probe per window);
 *       the outage's start and end are logged at WARN, once each. It is the store's {@link StoreHealth}.
 * </ul>
 *
 * <p>For a local tier in front of it, see {@link dev.gatehouse.cache.TieredHttpCacheStore}.
 */
public final class RedisHttpCacheStore implements HttpCacheStore, StoreHealth, AutoCloseable {
    static final int MAX_VARIANTS = 8;
    /** KEYS[1]: the key; ARGV: the variant's field, the response, the expiry in ms, the most variants. */
    private static final String PUT = "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0"
            + " and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then redis.call('DEL', KEYS[1]) end "
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
            + "if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end "
            + "return 1";

    private final RedisConnection connection;
    private final RedisClusterCommands<byte[], byte[]> redis;
    private final String keyPrefix;
    private final int maxEntryBytes;
    private final Duration keepStale;
    private final Clock clock;
    private final StoreBreaker breaker;
    private final AtomicLong withoutStore = new AtomicLong();
    private final Logger log;

    private RedisHttpCacheStore(Builder builder) {
        this.connection = RedisConnection.open(builder.url, builder.commandTimeout);
        this.redis = connection.commands();
        this.keyPrefix = builder.keyPrefix;
        this.maxEntryBytes = builder.maxEntryBytes;
        this.keepStale = builder.keepStale;
        this.clock = builder.clock;
        this.breaker = StoreBreaker.of(builder.breakerWindow, builder.nanoClock);
        this.log = builder.log;
    }

    /** A store with the defaults at {@code url}. @throws IllegalStateException when Redis cannot be reached now */
    public static RedisHttpCacheStore of(String url) {
        return builder(url).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    @Override
    public List<CachedResponse> variants(String key) {
        List<byte[]> values = call("read", key, () -> redis.hvals(redisKey(key)), List.of());
        List<CachedResponse> variants = new ArrayList<>(values.size());
        for (byte[] value : values) {
            try {
                variants.add(CachedResponseCodec.decode(value));
            } catch (IllegalArgumentException e) {
                log.warn("cache: dropping an unreadable Redis entry for {}: {}", key, e.getMessage());
                remove(key);
                return List.of();
            }
        }
        variants.sort(Comparator.comparing(CachedResponse::storedAt).reversed());
        return Collections.unmodifiableList(variants);
    }

    @Override
    public void put(String key, CachedResponse response) {
        long ttlMillis = response.servableFor(clock.instant()).plus(keepStale).toMillis();
        if (ttlMillis <= 0) {
            return;
        }
        byte[] value = CachedResponseCodec.encode(response);
        if (value.length > maxEntryBytes) {
            log.debug("cache: not storing {} in Redis: {} bytes (maxEntryBytes {})", key, value.length, maxEntryBytes);
            return;
        }
        byte[] field =
                (String.join(",", response.varyNames()) + "\n" + response.variant()).getBytes(StandardCharsets.UTF_8);
        call(
                "write",
                key,
                () -> redis.eval(
                        PUT,
                        ScriptOutputType.INTEGER,
                        new byte[][] {redisKey(key)},
                        field,
                        value,
                        utf8(Long.toString(ttlMillis)),
                        utf8(Integer.toString(MAX_VARIANTS))),
                0L);
    }

    @Override
    public boolean remove(String key) {
        return call("purge", key, () -> redis.del(redisKey(key)), 0L) > 0;
    }

    @Override
    public int removeByPrefix(String prefix) {
        return call("purge the prefix", prefix, () -> scanAndDelete(prefix), 0);
    }

    private int scanAndDelete(String prefix) {
        ScanArgs matching =
                ScanArgs.Builder.matches(utf8(glob(keyPrefix + prefix) + "*")).limit(500);
        int removed = 0;
        KeyScanCursor<byte[]> page = redis.scan(matching);
        while (true) {
            for (byte[] found : page.getKeys()) {
                removed += redis.del(found).intValue();
            }
            if (page.isFinished()) {
                return removed;
            }
            page = redis.scan(page, matching); // a Cluster's cursor carries the node it is at
        }
    }

    /** {@code text} with the glob characters of {@code SCAN MATCH} escaped, so it matches only itself. */
    static String glob(String text) {
        return text.replaceAll("([*?\\[\\]\\\\^])", "\\\\$1");
    }

    /**
     * Runs {@code command} (to {@code verb} {@code key}) through the breaker; on failure, {@code otherwise}, with
     * the outage logged once.
     */
    private <T> T call(String verb, String key, Supplier<T> command, T otherwise) {
        if (!breaker.permits()) {
            withoutStore.incrementAndGet();
            return otherwise;
        }
        try {
            T result = command.get();
            if (breaker.succeeded()) {
                log.warn("cache: Redis is back; reading and writing responses there again");
            }
            return result;
        } catch (RuntimeException e) {
            withoutStore.incrementAndGet();
            if (breaker.failed()) {
                log.warn(
                        "cache: Redis failed to {} {} ({}); reads are misses and writes are dropped until a call"
                                + " succeeds again (one probe every {} ms)",
                        verb,
                        key,
                        Throwables.rootMessage(e),
                        breaker.window().toMillis());
            }
            return otherwise;
        }
    }

    private byte[] redisKey(String key) {
        return (keyPrefix + key).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String feature() {
        return "cache";
    }

    @Override
    public boolean down() {
        return breaker.down();
    }

    @Override
    public long failures() {
        return breaker.failures();
    }

    /** Calls answered without Redis (a miss, a dropped write or purge) while it was down. */
    @Override
    public long admittedWithoutStore() {
        return withoutStore.get();
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "RedisHttpCacheStore[" + keyPrefix + ", " + breaker + "]";
    }

    public static final class Builder {
        private final String url;
        private Duration commandTimeout = Duration.ofMillis(200);
        private String keyPrefix = "gatehouse:cache:";
        private int maxEntryBytes = 2 * 1024 * 1024;
        private Duration keepStale = Duration.ZERO;
        private Duration breakerWindow = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();
        private LongSupplier nanoClock = System::nanoTime;
        private Logger log = LoggerFactory.getLogger(RedisHttpCacheStore.class);

        private Builder(String url) {
            this.url = RedisConnection.checkUrl(url);
        }

        /** How long one command may take before it counts as a failure (a miss); 200 ms by default. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = RedisConnection.checkTimeout(commandTimeout);
            return this;
        }

        /** What every key starts with; {@code gatehouse:cache:} by default. */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /** The largest encoded variant written (headers and body); larger ones are not stored. 2 MiB by default. */
        public Builder maxEntryBytes(int maxEntryBytes) {
            checkArgument(maxEntryBytes > 0, "maxEntryBytes: %s (expected: > 0)", maxEntryBytes);
            this.maxEntryBytes = maxEntryBytes;
            return this;
        }

        /**
         * How long a response is kept after it can no longer be served, so that a request for it goes to the
         * service with its validators and a 304 refreshes it; none by default (the key expires when nothing of it
         * can be served).
         */
        public Builder keepStale(Duration keepStale) {
            requireNonNull(keepStale, "keepStale");
            checkArgument(!keepStale.isNegative(), "keepStale: %s (expected: >= 0)", keepStale);
            this.keepStale = keepStale;
            return this;
        }

        /** How long Redis is left alone after a failure; 5 s by default. */
        public Builder breakerWindow(Duration window) {
            requireNonNull(window, "window");
            checkArgument(!window.isNegative() && !window.isZero(), "breakerWindow: %s (expected: > 0)", window);
            this.breakerWindow = window;
            return this;
        }

        /** The clock expiries are computed with, the policy's; the system's by default. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** The breaker's clock, {@code System.nanoTime} unless a test injects its own. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** Where outages, recoveries and unreadable entries are logged (WARN); this class's logger by default. */
        public Builder logger(Logger log) {
            this.log = requireNonNull(log, "log");
            return this;
        }

        /** @throws IllegalStateException when Redis cannot be reached now */
        public RedisHttpCacheStore build() {
            return new RedisHttpCacheStore(this);
        }
    }
}
