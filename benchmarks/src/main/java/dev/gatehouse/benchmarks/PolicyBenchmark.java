package dev.gatehouse.benchmarks;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.host.HostExchange;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One policy's cost per exchange: a fresh exchange and response head (as a host builds them), the policy's
 * request hook and its response hook. {@link #hostOnly()} builds the exchange and head alone; the policy's own
 * cost is the difference. Subclasses choose the policy and what the client sends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class PolicyBenchmark {
    private OffloadPolicy policy;
    private String method;
    private Headers clientHeaders;
    private String peer;
    private Headers responseHeaders;

    /** The policy under test. */
    protected abstract OffloadPolicy policy();

    /** What the client sends besides the usual fields: none unless a subclass says. */
    protected Headers extraClientHeaders() {
        return Headers.empty();
    }

    /** The request method. */
    protected String method() {
        return "GET";
    }

    /** The connection's peer. */
    protected String peer() {
        return "192.0.2.7";
    }

    /** The service's response fields besides the usual ones. */
    protected Headers extraResponseHeaders() {
        return Headers.empty();
    }

    @Setup
    public void setUp() {
        policy = policy();
        method = method();
        peer = peer();
        clientHeaders = Headers.create()
                .add("Host", "api.example.com")
                .add("User-Agent", "Mozilla/5.0")
                .add("Accept", "application/json")
                .add("Accept-Encoding", "gzip, br")
                .addAll(extraClientHeaders());
        responseHeaders = Headers.create()
                .add("Content-Type", "application/json")
                .add("Content-Length", "1024")
                .add("Cache-Control", "no-store")
                .addAll(extraResponseHeaders());
    }

    /** The exchange through the policy's hooks. */
    @Benchmark
    public ResponseHead exchange() {
        Exchange exchange = newExchange();
        Decision decision = policy.onRequest(exchange);
        ResponseHead head = ResponseHead.of(200, responseHeaders.copy());
        if (decision instanceof Decision.Proceed) {
            policy.onResponse(exchange, head);
        }
        return head;
    }

    /** The baseline: building the exchange and the response head alone. */
    @Benchmark
    public ResponseHead hostOnly() {
        newExchange();
        return ResponseHead.of(200, responseHeaders.copy());
    }

    private Exchange newExchange() {
        return HostExchange.builder(method, "/orders/42")
                .headers(clientHeaders.copy())
                .peerAddress(peer)
                .build();
    }
}
