package dev.gatehouse.benchmarks;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.cache.HttpCachePolicy;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.redis.RedisHttpCacheStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
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
 * The HTTP cache: a hit for a 1 KiB body (target ≤ 1 µs) — the policy's decision alone, and a whole exchange
 * through the chain with the replayed body written out — and a miss that is stored (whole exchange). {@code
 * redisHit} is a hit read from Redis on every request (a Redis store without a local tier: one {@code HVALS}
 * round trip and the decoding); it needs {@code REDIS_URL} (default {@code redis://127.0.0.1:6379}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpCacheBenchmark {
    private static final byte[] KIB = new byte[1024];

    static {
        Arrays.fill(KIB, (byte) 'x');
    }

    private HttpCachePolicy policy;
    private PolicyChain chain;
    private Exchange hitExchange;
    private long sequence;

    @Setup
    public void setUp() throws IOException {
        policy = HttpCachePolicy.of(InMemoryHttpCacheStore.of(256L * 1024 * 1024));
        chain = PolicyChain.of(policy);
        exchange(chain, "/items/1");
        hitExchange = request("/items/1");
        if (!(policy.onRequest(hitExchange) instanceof Decision.Replay)) {
            throw new IllegalStateException("the primed response is not a hit");
        }
    }

    private static Exchange request(String path) {
        return HostExchange.builder("GET", path)
                .headers(Headers.create().add("Host", "example.test").add("Accept", "application/json"))
                .peerAddress("192.0.2.7")
                .build();
    }

    /** The policy finds a fresh 1 KiB response and answers with it, Age and Cache-Status added. */
    @Benchmark
    public Decision hit() {
        return policy.onRequest(hitExchange);
    }

    /** A hit as a host serves it: exchange, chain run, replayed body written, completion. */
    @Benchmark
    public ChainRun hitThroughTheChain() throws IOException {
        ChainRun run = ChainRun.start(chain, request("/items/1"));
        StoredResponse answer = run.answer().orElseThrow();
        ResponseHead head = ResponseHead.of(answer.status(), answer.headers());
        run.onResponse(head);
        try (OutputStream body = head.wrapBody(OutputStream.nullOutputStream())) {
            answer.writeBodyTo(body);
        }
        run.onComplete(answer.status(), Optional.empty());
        return run;
    }

    /** A 1 KiB response stored in Redis, read back from it (no local tier) on each request. */
    @State(Scope.Benchmark)
    public static class RedisTier {
        RedisHttpCacheStore store;
        HttpCachePolicy policy;
        Exchange hitExchange;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            String url = Optional.ofNullable(System.getenv("REDIS_URL")).orElse("redis://127.0.0.1:6379");
            store = RedisHttpCacheStore.builder(url)
                    .keyPrefix("gatehouse:bench:" + UUID.randomUUID() + ":")
                    .build();
            policy = HttpCachePolicy.of(store);
            exchange(PolicyChain.of(policy), "/items/1");
            hitExchange = request("/items/1");
            if (!(policy.onRequest(hitExchange) instanceof Decision.Replay)) {
                throw new IllegalStateException("the primed response is not a hit");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            policy.purgeByPrefix("");
            store.close();
        }
    }

    /** The policy finds a fresh 1 KiB response in Redis and answers with it. */
    @Benchmark
    public Decision redisHit(RedisTier redis) {
        return redis.policy.onRequest(redis.hitExchange);
    }

    /** A miss on a new URI: forwarded, captured and stored. */
    @Benchmark
    public ChainRun missAndStore() throws IOException {
        return exchange(chain, "/items/new-" + sequence++);
    }

    static ChainRun exchange(PolicyChain chain, String path) throws IOException {
        ChainRun run = ChainRun.start(chain, request(path));
        ResponseHead head = ResponseHead.of(
                200,
                Headers.of(
                        "Content-Type", "application/json",
                        "Cache-Control", "max-age=3600",
                        "Content-Length", Integer.toString(KIB.length)));
        run.onResponse(head);
        try (OutputStream body = head.wrapBody(OutputStream.nullOutputStream())) {
            body.write(KIB);
        }
        run.onComplete(200, Optional.empty());
        return run;
    }
}
