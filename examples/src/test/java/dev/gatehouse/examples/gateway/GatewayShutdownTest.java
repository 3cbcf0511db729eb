package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.examples.backends.EchoServlet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rolling deploy loses no request: on stop (and on SIGTERM) requests in flight finish, new ones go elsewhere. */
class GatewayShutdownTest {
    /**
     * HTTP/1.1: the JDK client (17) fails every open stream on an HTTP/2 GOAWAY, even the graceful one Jetty
     * sends, which promises to finish them.
     */
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final EchoServlet echo = new EchoServlet();
    private Server backend;
    private URI backendUri;

    @TempDir
    Path dir;

    @BeforeEach
    void startBackend() throws Exception {
        backend = new Server();
        ServerConnector connector = new ServerConnector(backend);
        connector.setHost("127.0.0.1");
        backend.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(echo), "/*");
        backend.setHandler(context);
        backend.start();
        backendUri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterEach
    void stopBackend() throws Exception {
        backend.stop();
    }

    @Test
    void stopLetsARequestInFlightFinishAndRefusesNewConnections() throws Exception {
        Gateway gateway = startGateway();
        URI uri = gateway.uri();
        CompletableFuture<HttpResponse<String>> inFlight = CLIENT.sendAsync(
                HttpRequest.newBuilder(uri.resolve("/slow?sleep_ms=1500&size=20000"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        awaitExecutions(1);

        CompletableFuture<Void> stopped = stopInBackground(gateway);
        awaitRefused(uri);

        assertThatThrownBy(() -> new Socket("127.0.0.1", uri.getPort()).close())
                .as("a new connection while stopping")
                .isInstanceOf(ConnectException.class);
        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(20000);
        stopped.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestOnAKeptAliveConnectionDuringTheGraceIsServedAndToldToClose() throws Exception {
        Gateway gateway = startGateway();
        URI uri = gateway.uri();
        try (Socket keptAlive = new Socket("127.0.0.1", uri.getPort())) {
            keptAlive.setSoTimeout(10_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(keptAlive.getInputStream(), StandardCharsets.ISO_8859_1));
            String get = "GET /x?size=10 HTTP/1.1\r\nHost: gw\r\n\r\n";
            keptAlive.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
            String first = readHead(in);
            assertThat(first).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
            skipBody(in, first);
            // A slow request keeps the gateway in its grace period.
            CompletableFuture<HttpResponse<String>> inFlight = CLIENT.sendAsync(
                    HttpRequest.newBuilder(uri.resolve("/slow?sleep_ms=1500&size=100"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitExecutions(2);
            CompletableFuture<Void> stopped = stopInBackground(gateway);
            awaitRefused(uri);

            keptAlive.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
            String head = readHead(in);

            assertThat(head).as("served, not refused").startsWith("HTTP/1.1 200");
            assertThat(head).containsIgnoringCase("connection: close");
            skipBody(in, head);
            assertThat(in.read()).as("then closed").isEqualTo(-1);
            assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            stopped.get(10, TimeUnit.SECONDS);
        }
    }

    private Gateway startGateway() throws Exception {
        return Gateway.builder()
                .listen("127.0.0.1", 0)
                .shutdownGrace(Duration.ofSeconds(10))
                .route(new GatewayRoute("/", List.of(backendUri), PolicyChain.empty(), Duration.ofSeconds(10)))
                .build()
                .start();
    }

    private static CompletableFuture<Void> stopInBackground(Gateway gateway) {
        return CompletableFuture.runAsync(() -> {
            try {
                gateway.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void skipBody(BufferedReader in, String head) throws IOException {
        Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        assertThat(length.find()).as(head).isTrue();
        int remaining = Integer.parseInt(length.group(1));
        while (remaining > 0) {
            long skipped = in.skip(remaining);
            assertThat(skipped).as("body bytes").isPositive();
            remaining -= (int) skipped;
        }
    }

    private static String readHead(BufferedReader in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            head.append(line).append('\n');
        }
        return head.toString();
    }

    @Test
    void sigtermLetsARequestInFlightFinishBeforeTheProcessExits() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                listen:
                  port: 0
                  shutdownGrace: 10s
                routes:
                  - path: /
                    upstreams: [%s]
                """.formatted(backendUri));
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        GatewayMain.class.getName(),
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .start();
        try {
            URI uri = announcedUri(process);
            CompletableFuture<HttpResponse<String>> inFlight = CLIENT.sendAsync(
                    HttpRequest.newBuilder(uri.resolve("/slow?sleep_ms=1500&size=20000"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitExecutions(1);

            process.destroy(); // SIGTERM

            HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).hasSize(20000);
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited").isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    /** Waits (at most 5 s) until the listener has stopped accepting; the assertion after it says whether it did. */
    private static void awaitRefused(URI uri) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", uri.getPort())) {
                Thread.sleep(20);
            } catch (IOException refused) {
                return;
            }
        }
    }

    private void awaitExecutions(long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (echo.executions() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(echo.executions()).as("requests the backend has begun").isGreaterThanOrEqualTo(count);
    }

    /** Reads the start-up line, {@code Gatehouse gateway on http://127.0.0.1:PORT …}. */
    private static URI announcedUri(Process process) throws IOException {
        Pattern announced = Pattern.compile("Gatehouse gateway on (http://[0-9.]+:\\d+)");
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher matcher = announced.matcher(line);
            if (matcher.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return URI.create(matcher.group(1));
            }
        }
        throw new AssertionError("the gateway did not start:\n" + seen);
    }
}
