package dev.gatehouse.jetty;

import static dev.gatehouse.jetty.Handlers.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
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
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The same host over HTTP/2 (h2c), which the gateway speaks to its clients. */
class OffloadHandlerHttp2Test {
    private static final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    private static final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    private final RouteTable routes = RouteTable.of(PolicyChain.of(
            RequestIdPolicy.ofDefaults(),
            CompressionPolicy.builder().minSize(0).skipTypes().build()));

    @AfterAll
    static void stopScheduler() {
        later.shutdownNow();
    }

    private final Handler service = Handlers.of((request, response, callback) -> {
        switch (request.getHttpURI().getPath()) {
            case "/events" -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.write(
                        false,
                        utf8("data: one\n\n"),
                        Callback.from(
                                () -> later.schedule(
                                        () -> response.write(true, utf8("data: two\n\n"), callback), 2, SECONDS),
                                callback::failed));
            }
            case "/fail" -> throw new IllegalStateException("the handler failed");
            default -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, utf8("hello\n"), callback);
            }
        }
        return true;
    });

    @Test
    void aCompressedEventReachesAnHttp2ClientAtOnce() throws Exception {
        try (TestServer server = TestServer.offloadingH2c(routes, service)) {
            client.send(HttpRequest.newBuilder(server.uri("/hello")).build(), HttpResponse.BodyHandlers.discarding());
            long start = System.nanoTime();
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(server.uri("/events"))
                            .header("Accept-Encoding", "gzip")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            InputStream body = new GZIPInputStream(response.body());
            byte[] first = body.readNBytes("data: one\n\n".length());
            Duration firstAfter = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("data: one\n\n");
            assertThat(firstAfter).isLessThan(Duration.ofSeconds(1));
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data: two\n\n");
        }
    }

    @Test
    void aFailureIsA500ProblemOverHttp2() throws Exception {
        try (TestServer server = TestServer.offloadingH2c(routes, service)) {
            client.send(HttpRequest.newBuilder(server.uri("/hello")).build(), HttpResponse.BodyHandlers.discarding());
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(server.uri("/fail")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        }
    }

    @Test
    void headOverHttp2CarriesTheHeadersGetWouldAndNoBody() throws Exception {
        try (TestServer server = TestServer.offloadingH2c(routes, service)) {
            client.send(HttpRequest.newBuilder(server.uri("/hello")).build(), HttpResponse.BodyHandlers.discarding());
            HttpResponse<byte[]> get = client.send(
                    HttpRequest.newBuilder(server.uri("/hello"))
                            .header("Accept-Encoding", "gzip")
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> head = client.send(
                    HttpRequest.newBuilder(server.uri("/hello"))
                            .header("Accept-Encoding", "gzip")
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(head.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(head.headers().allValues("Vary")).isEqualTo(get.headers().allValues("Vary"));
            head.headers()
                    .firstValueAsLong("Content-Length")
                    .ifPresent(length -> assertThat(length).isEqualTo(get.body().length));
        }
    }
}
