package dev.gatehouse.benchmarks;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.redis.RedisIdempotencyStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Idempotency: the pass-through cost for requests the policy does not apply to (a GET; target ≤ 50 ns), a
 * first request's claim + record in memory (whole exchange), and Redis round trips per idempotent request
 * (printed at tear-down; target 2: claim, complete).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IdempotencyBenchmark {
    private static final byte[] BODY = "{\"amount\":42,\"currency\":\"EUR\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESPONSE =
            "{\"payment\":\"pay_123\",\"status\":\"created\"}".getBytes(StandardCharsets.UTF_8);

    private IdempotencyPolicy policy;
    private PolicyChain chain;
    private Exchange get;
    private long sequence;

    @Setup
    public void setUp() {
        policy = IdempotencyPolicy.builder(InMemoryIdempotencyStore.of(1_000_000))
                .build();
        chain = PolicyChain.of(policy);
        get = HostExchange.builder("GET", "/payments").peerAddress("192.0.2.7").build();
    }

    /** A GET: the policy looks at the method and steps aside. */
    @Benchmark
    public Decision passThrough() {
        return policy.onRequest(get);
    }

    /** A first POST with a fresh key: fingerprint, claim, capture and record a small response. */
    @Benchmark
    public ChainRun claimAndRecordInMemory() throws IOException {
        return exchange(chain, "key-" + sequence++);
    }

    static ChainRun exchange(PolicyChain chain, String key) throws IOException {
        Exchange exchange = HostExchange.builder("POST", "/payments")
                .headers(Headers.create().add("Idempotency-Key", "\"" + key + "\""))
                .peerAddress("192.0.2.7")
                .body(() -> new ByteArrayInputStream(BODY))
                .build();
        ChainRun run = ChainRun.start(chain, exchange);
        ResponseHead head = ResponseHead.of(201, Headers.of("Content-Type", "application/json"));
        run.onResponse(head);
        try (OutputStream body = head.wrapBody(OutputStream.nullOutputStream())) {
            body.write(RESPONSE);
        }
        run.onComplete(201, Optional.empty());
        return run;
    }

    /** Redis round trips of idempotent requests, counted by Redis itself. */
    @State(Scope.Benchmark)
    public static class Redis {
        RedisIdempotencyStore store;
        PolicyChain chain;
        RedisClient statsClient;
        StatefulRedisConnection<String, String> stats;
        long before;
        long requests;
        final String prefix = UUID.randomUUID().toString();

        @Setup(Level.Trial)
        public void setUp() {
            String url = Optional.ofNullable(System.getenv("REDIS_URL")).orElse("redis://127.0.0.1:6379");
            store = RedisIdempotencyStore.builder(url).build();
            chain = PolicyChain.of(IdempotencyPolicy.builder(store).build());
            statsClient = RedisClient.create(url);
            stats = statsClient.connect();
            before = calls();
        }

        /**
         * Round trips: claims (SET NX) plus completions (EVAL). Redis also counts the GET and SET each completion
         * script runs inside, so one of each is subtracted per EVAL.
         */
        long calls() {
            long sets = calls("cmdstat_set:");
            long gets = calls("cmdstat_get:");
            long evals = calls("cmdstat_eval:") + calls("cmdstat_evalsha:");
            return (sets - evals) + (gets - evals) + evals;
        }

        long calls(String command) {
            for (String line : stats.sync().info("commandstats").split("\r\n")) {
                if (line.startsWith(command)) {
                    return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
                }
            }
            return 0;
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf(
                    "%n[idempotency] %d requests, %.2f Redis round trips (claim SET NX + complete EVAL) per request%n",
                    requests, requests == 0 ? 0.0 : (double) (calls() - before) / requests);
            stats.close();
            statsClient.shutdown();
            store.close();
        }
    }

    /** A first POST with a fresh key through the Redis store. */
    @Benchmark
    public ChainRun claimAndRecordOnRedis(Redis redis) throws IOException {
        return exchange(redis.chain, redis.prefix + "-" + redis.requests++);
    }
}
