package dev.gatehouse.jetty;

import static dev.gatehouse.jetty.Handlers.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Completion;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffloadHandlerStreamingTest {
    private static final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    private final Handlers.CompletionRecorder completions = new Handlers.CompletionRecorder();
    private final RouteTable routes = RouteTable.of(PolicyChain.of(
            RequestIdPolicy.ofDefaults(),
            completions,
            // Event streams are left alone by default; compressing them here tests that each flush is a sync flush.
            CompressionPolicy.builder().minSize(0).skipTypes().build()));

    @AfterAll
    static void stopScheduler() {
        later.shutdownNow();
    }

    /** Two server-sent events, the second two seconds after the first. */
    private static final Handler EVENTS = Handlers.of((request, response, callback) -> {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.write(
                false,
                utf8("data: one\n\n"),
                Callback.from(
                        () -> later.schedule(() -> response.write(true, utf8("data: two\n\n"), callback), 2, SECONDS),
                        callback::failed));
        return true;
    });

    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @ValueSource(strings = {"identity", "gzip"})
    void anEventReachesTheClientAtOnceThoughTheNextComesTwoSecondsLater(String coding) throws Exception {
        try (TestServer server = TestServer.offloading(routes, EVENTS)) {
            long start = System.nanoTime();
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(server.uri("/events"))
                            .header("Accept-Encoding", coding)
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            InputStream body = coding.equals("gzip") ? new GZIPInputStream(response.body()) : response.body();
            String first = readEvent(body);
            Duration firstAfter = Duration.ofNanos(System.nanoTime() - start);
            String second = readEvent(body);
            Duration secondAfter = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.headers().firstValue("Content-Encoding").orElse("identity"))
                    .isEqualTo(coding);
            assertThat(first).isEqualTo("data: one\n\n");
            assertThat(firstAfter).isLessThan(Duration.ofSeconds(1));
            assertThat(second).isEqualTo("data: two\n\n");
            assertThat(secondAfter).isGreaterThan(Duration.ofMillis(1900));
            assertThat(body.read()).isEqualTo(-1);
        }
    }

    @Test
    void throughAReverseProxyACompressedEventReachesTheClientAtOnce() throws Exception {
        try (TestServer upstream = TestServer.plain(EVENTS);
                TestServer gateway = TestServer.offloading(
                        routes,
                        new ProxyHandler.Reverse(
                                "https?://[^/]+(/.*)", "http://127.0.0.1:" + upstream.port() + "$1"))) {
            long start = System.nanoTime();
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(gateway.uri("/events"))
                            .header("Accept-Encoding", "gzip")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            InputStream body = new GZIPInputStream(response.body());
            String first = readEvent(body);
            Duration firstAfter = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(first).isEqualTo("data: one\n\n");
            assertThat(firstAfter).isLessThan(Duration.ofSeconds(1));
            assertThat(readEvent(body)).isEqualTo("data: two\n\n");
            assertThat(body.read()).isEqualTo(-1);
        }
    }

    @Test
    void throughAReverseProxyALargeBodyIsCompressedWhole() throws Exception {
        byte[] text = dev.gatehouse.testing.conformance.ConformanceService.text(1_000_000);
        Handler large = Handlers.of((request, response, callback) -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, text.length);
            response.write(true, java.nio.ByteBuffer.wrap(text), callback);
            return true;
        });
        try (TestServer upstream = TestServer.plain(large);
                TestServer gateway = TestServer.offloading(
                        routes,
                        new ProxyHandler.Reverse(
                                "https?://[^/]+(/.*)", "http://127.0.0.1:" + upstream.port() + "$1"))) {
            HttpResponse<byte[]> response = client.sendAsync(
                            HttpRequest.newBuilder(gateway.uri("/large"))
                                    .header("Accept-Encoding", "gzip")
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray())
                    .get(30, SECONDS);

            assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(response.headers().firstValue("Content-Length")).isEmpty();
            assertThat(new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes())
                    .isEqualTo(text);
            assertThat(response.body().length).isLessThan(text.length / 5);
        }
    }

    private static String readEvent(InputStream in) throws IOException {
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        while (!event.toString(StandardCharsets.UTF_8).endsWith("\n\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the stream ended within an event: " + event);
            }
            event.write(b);
        }
        return event.toString(StandardCharsets.UTF_8);
    }

    /** Writes a first part, then fails: an upstream that died mid-body. */
    private static final Handler DIES_AFTER_COMMIT = Handlers.of((request, response, callback) -> {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(
                false,
                utf8("the first part\n"),
                Callback.from(() -> callback.failed(new IOException("the upstream died")), callback::failed));
        return true;
    });

    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @ValueSource(strings = {"identity", "gzip"})
    void aHandlerThatFailsAfterCommitLeavesTheClientATruncatedResponse(String coding) throws Exception {
        try (TestServer server = TestServer.offloading(routes, DIES_AFTER_COMMIT)) {
            String received = server.exchangeRaw(
                    "GET /dying HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: " + coding + "\r\n\r\n");

            assertThat(received).startsWith("HTTP/1.1 200 ").containsIgnoringCase("Transfer-Encoding: chunked");
            String body = received.substring(received.indexOf("\r\n\r\n") + 4);
            assertThat(body).isNotEmpty().doesNotEndWith("0\r\n\r\n");
            if (coding.equals("identity")) {
                assertThat(body).contains("the first part");
            }
            Completion completion = completions.await();
            assertThat(completion.status()).isEqualTo(200);
            assertThat(completion.failure())
                    .hasValueSatisfying(failure -> assertThat(failure).hasMessage("the upstream died"));
        }
    }

    /** Writes {@code count} lines, each from the callback of the write before. */
    private static Handler writesFromCallbacks(int count) {
        return Handlers.of((request, response, callback) -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            new Object() {
                int written;

                void next() {
                    if (written == count) {
                        response.write(true, null, callback);
                        return;
                    }
                    written++;
                    response.write(false, utf8("line\n"), Callback.from(this::next, callback::failed));
                }
            }.next();
            return true;
        });
    }

    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @ValueSource(strings = {"identity", "gzip"})
    void aHandlerThatWritesAgainFromEachWriteCallbackCanWriteFiftyThousandTimes(String coding) throws Exception {
        int lines = 50_000;
        try (TestServer server = TestServer.offloading(routes, writesFromCallbacks(lines))) {
            HttpResponse<byte[]> response = client.sendAsync(
                            HttpRequest.newBuilder(server.uri("/lines"))
                                    .header("Accept-Encoding", coding)
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray())
                    .get(30, SECONDS);
            byte[] body = coding.equals("gzip")
                    ? new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes()
                    : response.body();

            assertThat(body).hasSize(lines * "line\n".length());
            assertThat(completions.await().failure()).isEmpty();
        }
    }
}
