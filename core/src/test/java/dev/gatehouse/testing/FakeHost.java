package dev.gatehouse.testing;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * A host in memory, doing what the adapters do: runs the chain, calls the service if the chain proceeds,
 * runs the response hooks before "commit", streams the body through the installed transforms and
 * completes the run. For policy tests and benchmarks that need the whole onion without a server.
 */
public final class FakeHost {
    private FakeHost() {}

    /** Serves one exchange; {@code service} is the terminal call and may throw to simulate a failing service. */
    public static FakeResponse serve(PolicyChain chain, Exchange exchange, Function<Exchange, FakeResponse> service) {
        ChainRun run = ChainRun.start(chain, exchange);
        Optional<StoredResponse> answer = run.answer();
        FakeResponse response;
        if (answer.isPresent()) {
            StoredResponse stored = answer.get();
            response = FakeResponse.of(stored.status()).withBody(stored.body());
            stored.headers().forEach(response.headers()::add);
        } else {
            try {
                response = service.apply(exchange);
            } catch (RuntimeException e) {
                run.onResponse(ResponseHead.withFixedBody(500, Headers.create()));
                run.onComplete(500, Optional.of(e));
                throw e;
            }
        }
        ResponseHead head = ResponseHead.of(response.status(), response.headers());
        run.onResponse(head);
        ByteArrayOutputStream delivered = new ByteArrayOutputStream();
        try (OutputStream body = head.wrapBody(delivered)) {
            body.write(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run.onComplete(head.status(), Optional.empty());
        FakeResponse client = FakeResponse.of(head.status()).withBody(delivered.toByteArray());
        head.headers().forEach(client.headers()::add);
        return client;
    }

    /**
     * What {@code policy} decides for {@code exchange} in a chain of its own: the chain buffers the body when the
     * policy asks for it (its 413 is the answer when the body is too long), then the policy's own decision.
     */
    public static Decision decide(OffloadPolicy policy, Exchange exchange) {
        Decision[] decided = {null};
        OffloadPolicy recording = new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange e) {
                decided[0] = policy.onRequest(e);
                return decided[0];
            }

            @Override
            public int requestBodyLimit() {
                return policy.requestBodyLimit();
            }

            @Override
            public int requestBodyLimit(Exchange e) {
                return policy.requestBodyLimit(e);
            }

            @Override
            public String name() {
                return policy.name();
            }
        };
        ChainRun run = ChainRun.start(PolicyChain.of(recording), exchange);
        return decided[0] != null ? decided[0] : run.outcome();
    }
}
