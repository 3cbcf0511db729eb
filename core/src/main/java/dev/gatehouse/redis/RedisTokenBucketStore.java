package dev.gatehouse.redis;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Throwables;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Rate-limit buckets in Redis, one round trip per decision: a Lua script (run by its SHA-1, loaded once) refills
 * and takes tokens atomically on the Redis server's own clock ({@code TIME}). Instances whose clocks disagree
 * therefore share one exact budget: no skew caveat, unlike {@link RedisBucketStore}, whose bucket4j
 * compare-and-swap costs two round trips and reads each instance's clock.
 *
 * <ul>
 *   <li>Each window is a greedy token bucket (tokens refill continuously up to the quota), as in the other
 *       stores; a request takes its cost from every window or from none.
 *   <li>Keys are {@code keyPrefix} + the SHA-256 of the bucket key, never raw client input; one key per bucket
 *       (Redis Cluster routes it whole), gone once its bucket would be full again.
 *   <li>Every command is bounded by {@code commandTimeout} (100 ms by default) and fails at once while the
 *       connection is down; failures surface as {@link StoreUnavailableException} for the failure mode of the
 *       {@code ResilientBucketStore} around it. Lettuce reconnects by itself.
 *   <li>{@link Builder#batching()} lets concurrent decisions for one hot key share a script call.
 *   <li>After a failover to a replica, buckets are as replication left them (asynchronous): decisions made in the
 *       last moments before the failover may be forgotten, so a client may get up to that many extra requests.
 *       A server clock that goes back counts as no time passed: never more tokens.
 * </ul>
 */
public final class RedisTokenBucketStore implements BucketStore, AutoCloseable {
    private static final String SCRIPT = script();

    private final RedisConnection redis;
    private final RedisClusterCommands<byte[], byte[]> commands;
    private final String keyPrefix;
    private final @Nullable InstantSource clock;
    private final byte[] scriptBytes = SCRIPT.getBytes(StandardCharsets.UTF_8);
    private volatile String sha;
    private final @Nullable ScriptBatches batches;

    private RedisTokenBucketStore(Builder builder) {
        this.redis = RedisConnection.open(builder.url, builder.commandTimeout);
        this.commands = redis.commands();
        this.keyPrefix = builder.keyPrefix;
        this.clock = builder.clock;
        this.batches = builder.batching ? new ScriptBatches(this) : null;
        try {
            this.sha = commands.scriptLoad(scriptBytes);
        } catch (RuntimeException e) {
            redis.close();
            throw new IllegalStateException("Redis refused the rate-limit script: " + e.getMessage(), e);
        }
    }

    /**
     * Connects to {@code url} ({@code redis://host:port}) and loads the script; the connection is re-established
     * by Lettuce after any later outage, and the script reloaded when a restarted Redis has lost it.
     *
     * @throws IllegalStateException when Redis cannot be reached at start-up
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    @Override
    public Consumption tryConsume(String key, List<Limit> limits, long cost) {
        return batches == null ? run(key, limits, new long[] {cost})[0] : batches.tryConsume(key, limits, cost);
    }

    /** One script call: the decisions for {@code costs}, in order, on one bucket. */
    Consumption[] run(String key, List<Limit> limits, long[] costs) {
        byte[][] keys = {(keyPrefix + Digests.sha256Hex(key)).getBytes(StandardCharsets.US_ASCII)};
        byte[][] args = arguments(limits, costs);
        List<Object> reply;
        try {
            try {
                reply = commands.evalsha(sha, ScriptOutputType.MULTI, keys, args);
            } catch (RedisNoScriptException restarted) {
                // A restarted (or flushed) Redis forgot the script: EVAL runs it and caches it again.
                reply = commands.eval(scriptBytes, ScriptOutputType.MULTI, keys, args);
            }
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("Redis: " + Throwables.rootMessage(e), e);
        }
        int n = limits.size();
        Consumption[] decisions = new Consumption[costs.length];
        for (int d = 0; d < costs.length; d++) {
            int at = d * (2 + n);
            long[] remaining = new long[n];
            for (int i = 0; i < n; i++) {
                remaining[i] = (Long) reply.get(at + 2 + i);
            }
            boolean consumed = (Long) reply.get(at) == 1;
            long micros = (Long) reply.get(at + 1);
            decisions[d] = new Consumption(consumed, remaining, consumed ? 0 : micros * 1000);
        }
        return decisions;
    }

    private byte[][] arguments(List<Limit> limits, long[] costs) {
        int n = limits.size();
        byte[][] args = new byte[2 + 2 * n + (clock == null ? 0 : 1)][];
        StringBuilder joined = new StringBuilder().append(costs[0]);
        for (int i = 1; i < costs.length; i++) {
            joined.append(',').append(costs[i]);
        }
        args[0] = joined.toString().getBytes(StandardCharsets.US_ASCII);
        args[1] = ascii(n);
        for (int i = 0; i < n; i++) {
            Limit limit = limits.get(i);
            args[2 + 2 * i] = ascii(limit.quota());
            args[3 + 2 * i] = ascii(limit.window().toNanos() / 1000);
        }
        if (clock != null) {
            Instant now = clock.instant();
            args[args.length - 1] = ascii(now.getEpochSecond() * 1_000_000L + now.getNano() / 1000);
        }
        return args;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static String script() {
        try (InputStream in = RedisTokenBucketStore.class.getResourceAsStream("token-bucket.lua")) {
            if (in == null) {
                throw new IllegalStateException("token-bucket.lua is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }

    @Override
    public String toString() {
        return "RedisTokenBucketStore[" + keyPrefix + "]";
    }

    public static final class Builder {
        private final String url;
        private Duration commandTimeout = Duration.ofMillis(100);
        private String keyPrefix = "gatehouse:tb:";
        private @Nullable InstantSource clock;
        private boolean batching;

        private Builder(String url) {
            this.url = RedisConnection.checkUrl(url);
        }

        /** The bound on each Redis command; 100 ms by default. */
        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = RedisConnection.checkTimeout(commandTimeout);
            return this;
        }

        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /**
         * Decides by this clock instead of the Redis server's: for tests that move time by hand. In production
         * leave it unset, so that every instance refills by the one clock of the server.
         */
        public Builder clock(InstantSource clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Concurrent decisions for one key in this instance share one script call: while a call for a key is on
         * its way, the decisions that arrive for that key wait and leave together in the next one, taken in
         * arrival order. Worth it for hot keys (one client, a plan-wide bucket); costs nothing otherwise.
         */
        public Builder batching() {
            this.batching = true;
            return this;
        }

        public RedisTokenBucketStore build() {
            return new RedisTokenBucketStore(this);
        }
    }
}
