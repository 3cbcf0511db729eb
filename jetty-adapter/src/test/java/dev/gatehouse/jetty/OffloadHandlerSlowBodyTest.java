package dev.gatehouse.jetty;

import static dev.gatehouse.jetty.Handlers.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;

/**
 * A body that a policy reads (here the idempotency fingerprint) is read as the client sends it: clients that send
 * theirs slowly hold none of the server's threads, and everyone else is served meanwhile.
 */
class OffloadHandlerSlowBodyTest {
    private static final int THREADS = 20;

    private final AtomicInteger outerCalls = new AtomicInteger();
    private final AtomicInteger serviceCalls = new AtomicInteger();

    private final OffloadPolicy countsRequests = exchange -> {
        outerCalls.incrementAndGet();
        return Decision.proceed();
    };

    /** Answers with the body it received. */
    private final Handler echo = Handlers.of((request, response, callback) -> {
        serviceCalls.incrementAndGet();
        String body = Content.Source.asString(request, StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.write(true, utf8("got:" + body), callback);
        return true;
    });

    private TestServer server() throws Exception {
        IdempotencyPolicy idempotency = IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                .maxBodyBytes(64)
                .build();
        return TestServer.offloading(RouteTable.of(PolicyChain.of(countsRequests, idempotency)), echo, THREADS);
    }

    private static String post(String key, int length) {
        return "POST /orders HTTP/1.1\r\nHost: api\r\nIdempotency-Key: \"" + key + "\"\r\nContent-Length: " + length
                + "\r\n\r\n";
    }

    @Test
    void clientsSendingAFingerprintedBodySlowlyHoldNoThreadsAndAreServedWhenTheyFinish() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try (TestServer server = server()) {
            // Twice as many as the server has threads, each with a body that has not all come.
            for (int i = 0; i < 2 * THREADS; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write((post("k-" + i, 10) + "12345").getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            long start = System.nanoTime();
            String other = server.exchangeRaw(
                    post("other", 2).replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n") + "hi");

            assertThat(other).startsWith("HTTP/1.1 200 ").endsWith("got:hi");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

            Socket first = slow.get(0);
            first.getOutputStream().write("67890".getBytes(StandardCharsets.US_ASCII));
            String answer = readResponse(first.getInputStream(), "got:1234567890");
            assertThat(answer).startsWith("HTTP/1.1 200 ");
            // The policy before the fingerprint ran once for each request, not again when the body came.
            assertThat(outerCalls).hasValue(2 * THREADS + 1);
            assertThat(serviceCalls).hasValue(2);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aChunkedBodyThatCrossesThePolicysLimitLateIs413AndNeverReachesTheService() throws Exception {
        try (TestServer server = server();
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /orders HTTP/1.1\r\nHost: api\r\nIdempotency-Key: \"big\"\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n20\r\n" + "a".repeat(32) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200); // the first chunk is read and the rest awaited on a callback
            out.write(("40\r\n" + "b".repeat(64) + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            String answer = readResponse(socket.getInputStream(), "}");
            assertThat(answer).startsWith("HTTP/1.1 413 ").contains("application/problem+json");
            assertThat(serviceCalls).hasValue(0);
        }
    }

    @Test
    void aChunkedBodyFramedBadlyAfterAPauseIs400AndNeverReachesTheService() throws Exception {
        try (TestServer server = server();
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /orders HTTP/1.1\r\nHost: api\r\nIdempotency-Key: \"bad\"\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
            out.write("zz\r\nnot a chunk\r\n".getBytes(StandardCharsets.US_ASCII));

            String answer = readResponse(socket.getInputStream(), null);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            assertThat(serviceCalls).hasValue(0);
        }
    }

    /** Reads until {@code end} has arrived, or until the server closes when it is null. */
    private static String readResponse(InputStream in, String end) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (end == null || !received.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException reset) {
                break;
            }
            if (n < 0) {
                break;
            }
            received.write(buffer, 0, n);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }
}
