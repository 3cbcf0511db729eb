package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.examples.backends.EchoServlet;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Upstream failures, health, breaker, retries and limits, against real Jetty backends and dead ports. */
class GatewayResilienceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Server> backends = new ArrayList<>();
    private final ManualClock clock = new ManualClock();
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        for (Server backend : backends) {
            backend.stop();
        }
    }

    /** A real echo backend on a free port. */
    private URI echo(EchoServlet servlet) throws Exception {
        return echo(servlet, backends);
    }

    /** A real backend serving {@code servlet} on a free port, added to {@code backends} for the test to stop. */
    static URI echo(HttpServlet servlet, List<Server> backends) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), "/*");
        server.setHandler(context);
        server.start();
        backends.add(server);
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** A port nothing listens on. */
    private static URI dead() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    private URI start(GatewayRoute... routes) throws Exception {
        Gateway.Builder builder = Gateway.builder().listen("127.0.0.1", 0).clock(clock);
        for (GatewayRoute route : routes) {
            builder.route(route);
        }
        gateway = builder.build().start();
        return gateway.uri();
    }

    private static GatewayRoute route(String prefix, URI... upstreams) {
        return new GatewayRoute(prefix, List.of(upstreams), PolicyChain.empty(), Duration.ofSeconds(5));
    }

    private static HttpResponse<String> send(URI uri, UnaryOperator<HttpRequest.Builder> request) throws Exception {
        return CLIENT.send(
                request.apply(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anIdempotentRequestIsRetriedOnAnotherUpstreamButAPostIsNot() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", dead(), echo(servlet))
                .withRetries(1)
                .withHealth(new GatewayRoute.PassiveHealth(1000, Duration.ofSeconds(30))));

        for (int i = 0; i < 6; i++) {
            assertThat(send(gatewayUri.resolve("/get/" + i), b -> b).statusCode())
                    .isEqualTo(200);
        }
        assertThat(servlet.executions()).isEqualTo(6);

        List<Integer> posts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            posts.add(send(gatewayUri.resolve("/post/" + i), b -> b.POST(HttpRequest.BodyPublishers.ofString("x")))
                    .statusCode());
        }
        // Round-robin sends every other POST to the dead upstream; none of them is sent again.
        assertThat(posts).containsOnly(200, 502);
        assertThat(posts.stream().filter(status -> status == 502)).hasSize(3);
        assertThat(servlet.executions()).isEqualTo(6 + 3);
    }

    @Test
    void passiveHealthEjectsAFailingUpstreamAndAProbeBringsItBack() throws Exception {
        EchoServlet servlet = new EchoServlet();
        int[] deadPort = {dead().getPort()};
        URI gatewayUri = start(route("/", URI.create("http://127.0.0.1:" + deadPort[0]), echo(servlet))
                .withHealth(new GatewayRoute.PassiveHealth(2, Duration.ofMillis(800))));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(send(gatewayUri.resolve("/x"), b -> b).statusCode());
        }
        // Two failures eject the dead upstream; every later request goes to the live one.
        assertThat(statuses.stream().filter(status -> status == 502)).hasSize(2);
        assertThat(statuses.subList(4, 20)).containsOnly(200);
        assertThat(gateway.status())
                .singleElement()
                .satisfies(route -> assertThat(route.get("upstreams").toString())
                        .contains("health=ejected")
                        .contains("health=healthy"));

        // The ejected upstream comes back to life; after the ejection, one probe readmits it.
        Server revived = new Server();
        ServerConnector connector = new ServerConnector(revived);
        connector.setHost("127.0.0.1");
        connector.setPort(deadPort[0]);
        revived.addConnector(connector);
        EchoServlet second = new EchoServlet();
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(second), "/*");
        revived.setHandler(context);
        revived.start();
        backends.add(revived);
        clock.advance(Duration.ofMillis(900));
        for (int i = 0; i < 10; i++) {
            assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode()).isEqualTo(200);
        }
        assertThat(second.executions()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void withEveryUpstreamEjectedTheRouteAnswers503AtOnce() throws Exception {
        URI gatewayUri =
                start(route("/", dead()).withHealth(new GatewayRoute.PassiveHealth(1, Duration.ofSeconds(30))));

        assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode()).isEqualTo(502);
        HttpResponse<String> refused = send(gatewayUri.resolve("/x"), b -> b);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("No healthy upstream");
        assertThat(refused.headers().firstValue("Retry-After").map(Long::parseLong))
                .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1L, 30L));
    }

    @Test
    void anEjectedUpstreamWaitsOutItsEjectionOnTheGatewaysClock() throws Exception {
        URI gatewayUri =
                start(route("/", dead()).withHealth(new GatewayRoute.PassiveHealth(1, Duration.ofSeconds(30))));
        assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode()).isEqualTo(502);

        clock.advance(Duration.ofSeconds(20));
        HttpResponse<String> stillEjected = send(gatewayUri.resolve("/x"), b -> b);
        assertThat(stillEjected.statusCode()).isEqualTo(503);
        assertThat(stillEjected.headers().firstValue("Retry-After")).hasValue("10");

        clock.advance(Duration.ofSeconds(10).plusMillis(1));
        assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode())
                .as("the probe after the ejection reaches the (still dead) upstream")
                .isEqualTo(502);
        assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode())
                .as("the failed probe ejects it again")
                .isEqualTo(503);
    }

    @Test
    void theCircuitBreakerOpensOnFailuresStopsCallingAndClosesAfterProbes() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", echo(servlet))
                .withHealth(new GatewayRoute.PassiveHealth(1000, Duration.ofSeconds(30)))
                .withCircuitBreaker(new GatewayRoute.CircuitBreakerSettings(50, 4, Duration.ofMillis(700))));

        // Many rounds: a client that sends its next request on the last byte of a probe's answer must find the probe
        // already counted, every time (the outcome is recorded before the client can have the whole response).
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 4; i++) {
                assertThat(send(gatewayUri.resolve("/x?status=500"), b -> b).statusCode())
                        .isEqualTo(500);
            }
            long before = servlet.executions();
            HttpResponse<String> open = send(gatewayUri.resolve("/x"), b -> b);

            assertThat(open.statusCode()).isEqualTo(503);
            assertThat(open.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(servlet.executions()).isEqualTo(before);
            assertThat(gateway.status().get(0).get("circuitBreaker").toString()).contains("state=open");

            clock.advance(Duration.ofMillis(800));
            for (int probe = 0; probe < 3; probe++) {
                assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode())
                        .as("round %d, probe %d", round, probe)
                        .isEqualTo(200);
            }
            assertThat(gateway.status().get(0).get("circuitBreaker").toString())
                    .as("closed by three good probes")
                    .contains("state=closed");
        }
        for (int i = 0; i < 5; i++) {
            assertThat(send(gatewayUri.resolve("/x"), b -> b).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aChunkedBodyIs413AsSoonAsItCrossesTheLimit() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", echo(servlet)).withMaxBodyBytes(1000));
        String piece = "x".repeat(2048);

        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gatewayUri.getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(("POST /up HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            // The rest of the body never comes: the answer must not wait for it.
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);

            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
        assertThat(servlet.executions()).isZero();
    }

    @Test
    void aClientStillSendingABodyOverTheLimitReadsThe413NotAReset() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", echo(servlet)).withMaxBodyBytes(1000));
        String piece = "x".repeat(32 * 1024);
        String chunk = Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n";

        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gatewayUri.getPort())) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /up HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200); // the gateway has refused the body by now; the client does not know yet
            for (int i = 0; i < 15; i++) {
                out.write(chunk.getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);

            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
        assertThat(servlet.executions()).isZero();
    }

    @Test
    void aBodyOverTheLimitIs413DeclaredOrChunked() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", echo(servlet)).withMaxBodyBytes(1000));

        HttpResponse<String> small =
                send(gatewayUri.resolve("/up"), b -> b.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])));
        assertThat(small.statusCode()).isEqualTo(200);

        HttpResponse<String> declared =
                send(gatewayUri.resolve("/up"), b -> b.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1001])));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpResponse<String> chunked = send(
                gatewayUri.resolve("/up"),
                b -> b.version(HttpClient.Version.HTTP_1_1)
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(new byte[50_000]))));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpClient h2c =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        h2c.send(HttpRequest.newBuilder(gatewayUri.resolve("/warm")).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> streamed = h2c.send(
                HttpRequest.newBuilder(gatewayUri.resolve("/up"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(new byte[50_000])))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(servlet.executions())
                .as("the small POST and the GET that upgraded to h2c")
                .isEqualTo(2);
    }

    @Test
    void anHttp2BodyWithoutContentLengthReachesTheUpstreamWhole() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", echo(servlet)).withMaxBodyBytes(100_000));
        HttpClient h2c =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        byte[] body = new byte[20_000];
        new java.util.Random(7).nextBytes(body);
        // A first request without a body upgrades the connection to h2c.
        assertThat(h2c.send(
                                HttpRequest.newBuilder(gatewayUri.resolve("/warm"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .version())
                .isEqualTo(HttpClient.Version.HTTP_2);

        HttpResponse<String> response = h2c.send(
                HttpRequest.newBuilder(gatewayUri.resolve("/upload"))
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("bodySha256").asText())
                .isEqualTo(java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(body)));
    }

    @Test
    void anOversizedExpectContinueIsRefusedWithoutA100() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI gatewayUri = start(route("/", echo(servlet)).withMaxBodyBytes(1000));

        try (Socket socket = new Socket("127.0.0.1", gatewayUri.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /up HTTP/1.1\r\nHost: gw\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(DemoGatewayTest.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);

            assertThat(head).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
        }
        assertThat(servlet.executions()).isZero();
    }

    @Test
    void anOversizedBackendHeaderIsAPrompt502() throws Exception {
        try (ServerSocket backend = new ServerSocket(0)) {
            Thread server = new Thread(() -> {
                try (Socket socket = backend.accept()) {
                    InputStream in = socket.getInputStream();
                    in.read(new byte[8192]);
                    socket.getOutputStream()
                            .write(("HTTP/1.1 200 OK\r\nX-Huge: " + "a".repeat(20_000)
                                            + "\r\nContent-Length: 2\r\n\r\nok")
                                    .getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(5000);
                } catch (Exception ignored) {
                    // the test ends the conversation
                }
            });
            server.setDaemon(true);
            server.start();
            URI gatewayUri = start(route("/", URI.create("http://127.0.0.1:" + backend.getLocalPort()))
                    .withHealth(new GatewayRoute.PassiveHealth(1000, Duration.ofSeconds(30))));

            long started = System.nanoTime();
            HttpResponse<String> response = send(gatewayUri.resolve("/x"), b -> b);

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void anUpstreamDyingMidBodyAbortsTheClientResponseAndIsNotRetried() throws Exception {
        int[] accepted = {0};
        try (ServerSocket backend = new ServerSocket(0)) {
            Thread server = new Thread(() -> {
                while (!backend.isClosed()) {
                    try (Socket socket = backend.accept()) {
                        accepted[0]++;
                        socket.getInputStream().read(new byte[8192]);
                        OutputStream out = socket.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                                        + "{\"partial\":\"" + "x".repeat(60_000))
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (Exception ignored) {
                        // closed by the test
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            URI upstream = URI.create("http://127.0.0.1:" + backend.getLocalPort());
            URI gatewayUri = start(route("/", upstream, upstream).withRetries(1));

            try (Socket socket = new Socket("127.0.0.1", gatewayUri.getPort())) {
                socket.setSoTimeout(5000);
                socket.getOutputStream()
                        .write("GET /x HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer =
                        new String(DemoGatewayTest.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);

                assertThat(answer).startsWith("HTTP/1.1 200 ");
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                    assertThat(body).as("no last chunk").doesNotEndWith("0\r\n\r\n");
                } else {
                    assertThat(body.length()).isLessThan(100000);
                }
            }
            assertThat(accepted[0]).as("a response had begun: no retry").isEqualTo(1);
        }
    }

    @Test
    void anUpstreamsTrailersFollowTheLastChunkWithoutFramingOrContentFields() throws Exception {
        try (ServerSocket backend = new ServerSocket(0)) {
            Thread server = new Thread(() -> {
                while (!backend.isClosed()) {
                    try (Socket socket = backend.accept()) {
                        socket.getInputStream().read(new byte[8192]);
                        socket.getOutputStream()
                                .write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                                                + "Trailer: X-Checksum\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: sha256=2cf24d\r\n"
                                                + "Content-Length: 99\r\nSet-Cookie: session=1\r\n\r\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                        socket.getInputStream().read(new byte[1]); // until the gateway lets go
                    } catch (Exception ignored) {
                        // closed by the test
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            URI gatewayUri = start(route("/", URI.create("http://127.0.0.1:" + backend.getLocalPort())));

            try (Socket socket = new Socket("127.0.0.1", gatewayUri.getPort())) {
                socket.setSoTimeout(5000);
                socket.getOutputStream()
                        .write("GET /x HTTP/1.1\r\nHost: gw\r\nTE: trailers\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                // Kept alive, so the response is chunked (the only framing with trailers): read to its end.
                StringBuilder read = new StringBuilder();
                byte[] buffer = new byte[8192];
                while (!(read.indexOf("\r\n0\r\n") >= 0 && read.toString().endsWith("\r\n\r\n"))) {
                    int n = socket.getInputStream().read(buffer);
                    if (n < 0) {
                        break;
                    }
                    read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
                String answer = read.toString();

                assertThat(answer).startsWith("HTTP/1.1 200 ");
                String afterLastChunk = answer.substring(answer.lastIndexOf("\r\n0\r\n") + 5);
                assertThat(afterLastChunk).contains("X-Checksum: sha256=2cf24d\r\n");
                assertThat(afterLastChunk)
                        .as("a trailer cannot reframe or set cookies")
                        .doesNotContainIgnoringCase("Content-Length")
                        .doesNotContainIgnoringCase("Set-Cookie");
                assertThat(answer).contains("hello");
            }
        }
    }

    @Test
    void theBackendServerHeaderNeverReachesTheClient() throws Exception {
        URI gatewayUri = start(route("/", echo(new EchoServlet())));

        HttpResponse<String> response = send(gatewayUri.resolve("/x?header=Server:secret-backend/1.2.3"), b -> b);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().allValues("Server")).isEmpty();
    }

    @Test
    void routesMatchByHostAndHeaderBeforeThePathAlone() throws Exception {
        EchoServlet byPath = new EchoServlet();
        EchoServlet byHost = new EchoServlet();
        EchoServlet byHeader = new EchoServlet();
        URI gatewayUri = start(
                route("/api", echo(byPath)),
                route("/api", echo(byHost)).withHost("*.tenant.test"),
                route("/api", echo(byHeader)).withHeader("X-Canary", "yes"));

        assertThat(send(gatewayUri.resolve("/api/a"), b -> b).statusCode()).isEqualTo(200);
        assertThat(send(gatewayUri.resolve("/api/b"), b -> b.header("X-Canary", "yes"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(send(gatewayUri.resolve("/api/c"), b -> b.header("X-Canary", "no"))
                        .statusCode())
                .isEqualTo(200);
        try (Socket socket = new Socket("127.0.0.1", gatewayUri.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream()
                    .write("GET /api/d HTTP/1.1\r\nHost: eu.tenant.test\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(DemoGatewayTest.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200 ");
            JsonNode echoed = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(echoed.path("headers").path("x-forwarded-host").asText()).isEqualTo("eu.tenant.test");
        }

        assertThat(Map.of("path", byPath.executions(), "host", byHost.executions(), "header", byHeader.executions()))
                .isEqualTo(Map.of("path", 2L, "host", 1L, "header", 1L));
    }
}
