package dev.gatehouse.benchmarks;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.LocalBucketStore;
import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.redis.RedisBucketStore;
import dev.gatehouse.redis.RedisTokenBucketStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rate-limit decisions: a local consume through the policy (target ≤ 150 ns), and one hot key on Redis from 8
 * threads through each Redis store — {@code script} ({@link RedisTokenBucketStore}, one Lua call on Redis's
 * clock; target ≥ 15,000 decisions/s; {@code script-batching} shares one call among concurrent decisions, target ≥
 * 50,000/s), {@code bucket4j} and {@code bucket4j-batching} ({@link RedisBucketStore}, compare-and-swap) — printing Redis commands per decision at tear-down (for the
 * script these include the script's own commands). The Redis benchmarks need {@code REDIS_URL} (default
 * {@code redis://127.0.0.1:6379}).
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RateLimitBenchmark {

    @State(Scope.Benchmark)
    public static class Local {
        RateLimitPolicy policy;
        Exchange exchange;

        @Setup
        public void setUp() {
            policy = RateLimitPolicy.builder()
                    .limits(Limit.of("hour", 1_000_000_000_000L, Duration.ofHours(1)))
                    .key(RateLimitKey.of(e -> Optional.of("client-1")))
                    .store(LocalBucketStore.ofDefaults())
                    .build();
            exchange = HostExchange.builder("GET", "/orders")
                    .headers(Headers.create().add("Host", "api.example.com"))
                    .peerAddress("192.0.2.7")
                    .build();
        }
    }

    /** One decision through the policy with the bucket in this process. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Decision localConsume(Local state) {
        return state.policy.onRequest(state.exchange);
    }

    @State(Scope.Benchmark)
    public static class Redis {
        @Param({"script", "script-batching", "bucket4j", "bucket4j-batching"})
        public String store;

        AutoCloseable closeable;
        RateLimitPolicy policy;
        RedisClient statsClient;
        StatefulRedisConnection<String, String> stats;
        long commandsBefore;
        long decisions;

        @Setup(Level.Trial)
        public void setUp() {
            String url = Optional.ofNullable(System.getenv("REDIS_URL")).orElse("redis://127.0.0.1:6379");
            BucketStore buckets;
            if (store.startsWith("script")) {
                RedisTokenBucketStore.Builder builder =
                        RedisTokenBucketStore.builder(url).commandTimeout(Duration.ofSeconds(1));
                if (store.equals("script-batching")) {
                    builder.batching();
                }
                RedisTokenBucketStore script = builder.build();
                closeable = script;
                buckets = script;
            } else {
                RedisBucketStore.Builder builder = RedisBucketStore.builder(url).commandTimeout(Duration.ofSeconds(1));
                if (store.equals("bucket4j-batching")) {
                    builder.batching();
                }
                RedisBucketStore casStore = builder.build();
                closeable = casStore;
                buckets = casStore;
            }
            policy = RateLimitPolicy.builder()
                    .limits(Limit.of("hour", 1_000_000_000_000L, Duration.ofHours(1)))
                    .key(RateLimitKey.of(e -> Optional.of("hot-key-" + store)))
                    .store(buckets)
                    .build();
            statsClient = RedisClient.create(url);
            stats = statsClient.connect();
            commandsBefore = totalCommands();
        }

        long totalCommands() {
            String info = stats.sync().info("stats");
            for (String line : info.split("\r\n")) {
                if (line.startsWith("total_commands_processed:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return 0;
        }

        @TearDown(Level.Trial)
        public void report() throws Exception {
            long commands = totalCommands() - commandsBefore;
            System.out.printf(
                    "%n[ratelimit] store=%s: %d decisions, %d Redis commands, %.3f commands per decision%n",
                    store, decisions, commands, decisions == 0 ? 0.0 : (double) commands / decisions);
            stats.close();
            statsClient.shutdown();
            closeable.close();
        }
    }

    @State(Scope.Thread)
    public static class Exchanges {
        Exchange exchange =
                HostExchange.builder("GET", "/orders").peerAddress("192.0.2.7").build();
    }

    /** One client at a time: the Redis round trips of a single decision. */
    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Decision redisUncontended(Redis redis, Exchanges exchanges) {
        Decision decision = redis.policy.onRequest(exchanges.exchange);
        redis.decisions++;
        return decision;
    }

    /** One hot key shared by 8 threads of one instance. */
    @Benchmark
    @Threads(8)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Decision redisHotKey(Redis redis, Exchanges exchanges) {
        Decision decision = redis.policy.onRequest(exchanges.exchange);
        synchronized (redis) {
            redis.decisions++;
        }
        return decision;
    }
}
