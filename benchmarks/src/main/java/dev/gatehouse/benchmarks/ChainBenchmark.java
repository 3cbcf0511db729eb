package dev.gatehouse.benchmarks;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.metrics.MicrometerChainListener;
import dev.gatehouse.requestid.RequestIdPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
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
 * One whole exchange through request id + access log (logger at WARN), as a host runs it: build the
 * exchange from the client's headers, run the request hooks, run the response hooks on a typical head,
 * complete. Target: 300 ns or less per exchange on one thread; with observability on (access log at INFO to a
 * no-op appender, Micrometer counting) at most 1.3 times the same chain with it off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ChainBenchmark {
    /** Whether the client sends a valid request id and trace context, or the chain makes them. */
    @Param({"sent", "generated"})
    public String ids;

    /**
     * off: access log at WARN, no metrics; on: the access log writes at INFO (to a no-op appender) and Micrometer
     * counts; log and metrics: one of the two.
     */
    @Param({"off", "on", "log", "metrics"})
    public String observability;

    private PolicyChain chain;
    private Headers clientHeaders;
    private Headers responseHeaders;

    @Setup
    public void setUp() {
        boolean log = observability.equals("on") || observability.equals("log");
        boolean metrics = observability.equals("on") || observability.equals("metrics");
        PolicyChain.Builder builder = PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("access-log", log ? AccessLogPolicy.of(new DiscardingLogger()) : AccessLogPolicy.ofDefaults());
        if (metrics) {
            builder.listener(new MicrometerChainListener(new SimpleMeterRegistry()));
        }
        chain = builder.build();
        clientHeaders = Headers.create()
                .add("Host", "api.example.com")
                .add("User-Agent", "curl/8.5.0")
                .add("Accept", "application/json")
                .add("Accept-Encoding", "gzip, br")
                .add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig");
        if (ids.equals("sent")) {
            clientHeaders
                    .add("X-Request-Id", "9f86d081884c7d659a2feaa0c55ad015")
                    .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        }
        responseHeaders = Headers.create()
                .add("Content-Type", "application/json")
                .add("Content-Length", "1024")
                .add("Cache-Control", "no-store");
    }

    /** The whole exchange: what a host pays per request, header copy included. */
    @Benchmark
    public ChainRun exchange() {
        ChainRun run = ChainRun.start(chain, newExchange());
        run.onResponse(ResponseHead.of(200, responseHeaders.copy()));
        run.onComplete(200, Optional.empty());
        return run;
    }

    /** The baseline: building the exchange and the response head alone, without running any policy. */
    @Benchmark
    public ResponseHead hostOnly() {
        newExchange();
        return ResponseHead.of(200, responseHeaders.copy());
    }

    private Exchange newExchange() {
        return HostExchange.builder("GET", "/orders/42")
                .query("expand=items")
                .headers(clientHeaders.copy())
                .peerAddress("192.0.2.7")
                .build();
    }
}
