package dev.gatehouse.benchmarks;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.RouteTable;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The chain of {@code benchmarks/servlet.sh} — request id + access log + local rate limit + JWT (HS256, cached), no
 * compression — through a route table, as the servlet adapter runs it: build the exchange from the client's
 * headers, run the request hooks, the response hooks on the servlet's head, ask which headers changed, complete.
 * What it costs here is the chain's share of a servlet request; the rest is the adapter's and the container's. Run
 * it with {@code -prof gc} for bytes per exchange ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ServiceChainBenchmark {
    /** on: the access log writes at INFO (to a no-op appender); off: its logger is at WARN. */
    @Param({"on", "off"})
    public String accessLog;

    private RouteTable routes;
    private Headers clientHeaders;
    private Headers responseHeaders;

    @Setup
    public void setUp() {
        byte[] secret = "a benchmark's HS256 secret of 32+ bytes".getBytes(StandardCharsets.UTF_8);
        routes = RouteTable.of(PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add(
                        "access-log",
                        accessLog.equals("on")
                                ? AccessLogPolicy.of(new DiscardingLogger())
                                : AccessLogPolicy.ofDefaults())
                .add(
                        "ratelimit",
                        RateLimitPolicy.builder()
                                .limits(Limit.perMinute(1_000_000_000L))
                                .build())
                .add(
                        "jwt",
                        AuthPolicy.jwt(JwtAuthenticator.builder()
                                .issuer("https://load.test", KeySet.of(JwtKey.hmac(null, JwtAlgorithm.HS256, secret)))
                                .audience("load")
                                .build()))
                .build());
        String token = JWT.create()
                .withIssuer("https://load.test")
                .withAudience("load")
                .withSubject("load-user")
                .withExpiresAt(Instant.now().plus(Duration.ofHours(2)))
                .sign(Algorithm.HMAC256(secret));
        // What wrk sends.
        clientHeaders = Headers.create().add("Host", "127.0.0.1:8080").add("Authorization", "Bearer " + token);
        // What the echo servlet sets.
        responseHeaders =
                Headers.create().add("Content-Type", "application/json").add("Content-Length", "1024");
    }

    @Benchmark
    public Set<String> exchange() {
        Exchange exchange = HostExchange.builder("GET", "/bench")
                .query("size=1024")
                .scheme("http")
                .headers(clientHeaders.copy())
                .peerAddress("127.0.0.1")
                .build();
        ChainRun run = ChainRun.start(routes, exchange);
        ResponseHead head = ResponseHead.of(200, responseHeaders.copy());
        run.onResponse(head);
        Set<String> changed = head.changedHeaderNames();
        run.onComplete(200, Optional.empty());
        return changed;
    }
}
