package dev.gatehouse.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RequestBody;
import dev.gatehouse.StoredResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A host that waits without threads: the request hooks stop for the body, or for a policy's pending stage, and go
 * on when the host resumes them.
 */
class NonBlockingRunTest {
    private final List<String> calls = new ArrayList<>();

    private final OffloadPolicy outer = exchange -> {
        calls.add("outer");
        return Decision.proceed(Headers.of("X-Outer", "1"));
    };

    /** Reads up to 10 bytes and passes their text upstream. */
    private final OffloadPolicy reader = new OffloadPolicy() {
        @Override
        public int requestBodyLimit() {
            return 10;
        }

        @Override
        public Decision onRequest(Exchange exchange) {
            calls.add("reader");
            String text =
                    new String(exchange.body().map(RequestBody::toByteArray).orElseThrow(), StandardCharsets.UTF_8);
            return Decision.proceed(Headers.of("X-Body", text));
        }
    };

    private final OffloadPolicy inner = exchange -> {
        calls.add("inner");
        return Decision.proceed();
    };

    private final PolicyChain chain = PolicyChain.of(outer, reader, inner);

    private static HostExchange post(String... headers) {
        Headers fields = Headers.create();
        for (int i = 0; i < headers.length; i += 2) {
            fields.add(headers[i], headers[i + 1]);
        }
        return (HostExchange) HostExchange.builder("POST", "/orders")
                .headers(fields)
                .body(() -> {
                    throw new AssertionError("a deferred body is never read from the client's stream");
                })
                .nonBlocking()
                .build();
    }

    @Test
    void theHooksStopBeforeThePolicyThatReadsTheBodyAndGoOnOnceWhenItIsSupplied() {
        HostExchange exchange = post();
        ChainRun run = ChainRun.start(chain, exchange);

        assertThat(run.awaitedBody()).isEqualTo(10);
        assertThat(calls).containsExactly("outer");
        assertThatThrownBy(run::answer).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(run::resume)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("supplied");

        exchange.supplyBody(() -> new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)));
        run.resume();

        assertThat(run.awaitedBody()).isZero();
        assertThat(calls).containsExactly("outer", "reader", "inner");
        assertThat(run.proceeds()).isTrue();
        assertThat(exchange.requestHeaders().first("X-Body")).hasValue("hello");
        assertThat(exchange.requestHeaders().first("X-Outer")).hasValue("1");
        assertThat(run.editedRequestHeaders()).contains("X-Outer", "X-Body");
        assertThatThrownBy(run::resume).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSuppliedBodyPastTheLimitIs413AndTheReaderNeverRuns() {
        HostExchange exchange = post();
        ChainRun run = ChainRun.start(chain, exchange);
        exchange.supplyBody(() -> new ByteArrayInputStream(new byte[11]));
        run.resume();

        StoredResponse answer = run.answer().orElseThrow();
        assertThat(answer.status()).isEqualTo(413);
        assertThat(calls).containsExactly("outer");
    }

    @Test
    void aBodyTheClientFramedBadlyIs400() {
        HostExchange exchange = post();
        ChainRun run = ChainRun.start(chain, exchange);
        exchange.supplyBody(() -> {
            throw new IOException("bad chunk size");
        });
        run.resume();

        assertThat(run.answer().orElseThrow().status()).isEqualTo(400);
        assertThat(calls).containsExactly("outer");
    }

    @Test
    void aDeclaredLengthPastTheLimitIs413WithoutWaitingForTheBody() {
        ChainRun run = ChainRun.start(chain, post("Content-Length", "11"));

        assertThat(run.awaitedBody()).isZero();
        assertThat(run.answer().orElseThrow().status()).isEqualTo(413);
    }

    @Test
    void anOuterRefusalEndsTheRunBeforeAnyBodyIsAwaited() {
        OffloadPolicy refuses = exchange -> Decision.reject(401, "no");
        ChainRun run = ChainRun.start(PolicyChain.of(refuses, reader), post());

        assertThat(run.awaitedBody()).isZero();
        assertThat(run.answer().orElseThrow().status()).isEqualTo(401);
    }

    /** Has something pending until the test completes it; counts how often it was asked. */
    private final CompletableFuture<Void> fill = new CompletableFuture<>();

    private final AtomicInteger asked = new AtomicInteger();

    private final OffloadPolicy waits = new OffloadPolicy() {
        @Override
        public CompletionStage<?> pending(Exchange exchange) {
            asked.incrementAndGet();
            return fill;
        }

        @Override
        public Decision onRequest(Exchange exchange) {
            calls.add("waits:" + fill.isDone());
            return Decision.proceed();
        }
    };

    @Test
    void theHooksStopBeforeAPolicyWithSomethingPendingAndGoOnWithoutAskingAgain() {
        ChainRun run = ChainRun.start(PolicyChain.of(outer, waits, inner), post());

        assertThat(run.awaited()).containsSame(fill);
        assertThat(calls).containsExactly("outer");
        assertThatThrownBy(run::answer).isInstanceOf(IllegalStateException.class);

        fill.complete(null);
        run.resume();

        assertThat(run.awaited()).isEmpty();
        assertThat(asked).hasValue(1);
        assertThat(calls).containsExactly("outer", "waits:true", "inner");
        assertThat(run.proceeds()).isTrue();
    }

    @Test
    void aHostThatBlocksIsNeverAskedForWhatIsPending() {
        Exchange blocking = HostExchange.builder("GET", "/orders").build();
        ChainRun run = ChainRun.start(PolicyChain.of(outer, waits, inner), blocking);

        assertThat(run.awaited()).isEmpty();
        assertThat(asked).hasValue(0);
        assertThat(calls).containsExactly("outer", "waits:false", "inner");
    }
}
