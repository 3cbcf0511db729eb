package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The upstream call's bookkeeping, whatever way a request ends, and route reloads under load. */
class GatewayUpstreamCallTest {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** Never opens (every call would have to fail, of a thousand): the counts stay readable. */
    static final GatewayRoute.CircuitBreakerSettings PATIENT =
            new GatewayRoute.CircuitBreakerSettings(100, 1000, Duration.ofSeconds(30));

    static final GatewayRoute.PassiveHealth TOLERANT = new GatewayRoute.PassiveHealth(1000, Duration.ofSeconds(30));

    private final List<Server> backends = new ArrayList<>();
    private final List<AutoCloseable> rawBackends = new ArrayList<>();
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        for (Server backend : backends) {
            backend.stop();
        }
        for (AutoCloseable backend : rawBackends) {
            backend.close();
        }
    }

    @Test
    void noPermitLeaksWhicheverWayARequestEndsAndEachOutcomeIsCountedOnce() throws Exception {
        EchoServlet echo = new EchoServlet();
        URI live = echo(echo);
        PolicyChain refusing =
                PolicyChain.of(exchange -> exchange.requestHeaders().contains("X-Refuse")
                        ? Decision.reject(403, "Refused.").because("test refusal")
                        : Decision.proceed());
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(route("/refused", dead()))
                .route(route("/reset", raw("")))
                .route(route("/garbage", raw("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok")))
                .route(route("/midbody", raw("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(5000))))
                .route(route("/timeout", live).withRetries(1))
                .route(route("/abort", live))
                .route(route("/limit", live).withMaxBodyBytes(1000).withRequestBuffer(0))
                .route(route("/declared", live).withMaxBodyBytes(1000))
                .route(new GatewayRoute("/policy", List.of(live), refusing, Duration.ofSeconds(5))
                        .withHealth(TOLERANT)
                        .withCircuitBreaker(PATIENT))
                .route(route("/ok", live))
                .build()
                .start();
        URI uri = gateway.uri();

        assertThat(get(uri.resolve("/refused/x"))).isEqualTo(502);
        assertThat(get(uri.resolve("/reset/x"))).isEqualTo(502);
        assertThat(get(uri.resolve("/garbage/x"))).isEqualTo(502);
        assertThat(rawExchange(uri, "GET /midbody/x HTTP/1.1\r\nHost: gw\r\n\r\n"))
                .startsWith("HTTP/1.1 200 ");
        assertThat(get(uri.resolve("/timeout/x?sleep_ms=1500"))).isEqualTo(504);
        clientAbort(uri, "/abort/x?sleep_ms=300");
        assertThat(send(HttpRequest.newBuilder(uri.resolve("/limit/x"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(new byte[50_000])))))
                .isEqualTo(413);
        assertThat(send(HttpRequest.newBuilder(uri.resolve("/declared/x"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5000]))))
                .isEqualTo(413);
        assertThat(send(HttpRequest.newBuilder(uri.resolve("/policy/x")).header("X-Refuse", "1")))
                .isEqualTo(403);
        assertThat(get(uri.resolve("/ok/x"))).isEqualTo(200);

        awaitNoPermitsInFlight(Duration.ofSeconds(5));
        assertThat(recentCalls())
                .as("breaker outcomes per route: one per request an upstream answered for, none for the rest")
                .containsEntry("/refused", 1)
                .containsEntry("/reset", 1)
                .containsEntry("/garbage", 1)
                .containsEntry("/midbody", 1)
                .containsEntry("/timeout", 1)
                .containsEntry("/limit", 0)
                .containsEntry("/declared", 0)
                .containsEntry("/policy", 0)
                .containsEntry("/ok", 1);
        assertThat(gateway.status())
                .allSatisfy(route ->
                        assertThat(route.get("circuitBreaker").toString()).contains("state=closed"));
    }

    @Test
    void theUpstreamGetsTheClientsAcceptEncodingAndTheClientOneDate() throws Exception {
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute(
                        "/", List.of(echo(new EchoServlet())), PolicyChain.empty(), Duration.ofSeconds(5)))
                .build()
                .start();

        String answer = rawExchange(gateway.uri(), "GET /x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 ");
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertThat(head.split("\r\ndate: ", -1)).as("Date fields").hasSize(2);
        assertThat(answer.substring(answer.indexOf("\r\n\r\n")))
                .as("the upstream request, echoed")
                .doesNotContainIgnoringCase("accept-encoding");
    }

    @Test
    void interimResponsesNoContentAndInvalidStatusesFromAnUpstreamAreRelayedRightOr502NeverTheGateways5xx()
            throws Exception {
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(route("/continue", raw("HTTP/1.1 100 Continue\r\n\r\n" + OK)))
                .route(route("/unassigned", raw("HTTP/1.1 150 Whatever\r\nX-Interim: 1\r\n\r\n" + OK)))
                .route(route("/hints", raw("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + OK)))
                .route(route("/no-content", raw("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello")))
                .route(route("/beyond", raw("HTTP/1.1 999 Beyond\r\nContent-Length: 2\r\n\r\nok")))
                .route(route("/not-modified", raw("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n")))
                .build()
                .start();

        for (String path : List.of("/continue", "/unassigned")) {
            String answer =
                    rawExchange(gateway.uri(), "GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

            assertThat(answer)
                    .as(path)
                    .startsWith("HTTP/1.1 201 ")
                    .doesNotContain("X-Interim")
                    .endsWith("\r\n\r\nok");
        }
        String noContent =
                rawExchange(gateway.uri(), "GET /no-content HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(noContent).startsWith("HTTP/1.1 204 ").endsWith("\r\n\r\n");
        assertThat(noContent.toLowerCase(java.util.Locale.ROOT)).doesNotContain("content-length");
        String beyond = rawExchange(gateway.uri(), "GET /beyond HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(beyond).startsWith("HTTP/1.1 502 ").contains("application/problem+json");
        String notModified = rawExchange(
                gateway.uri(),
                "GET /not-modified HTTP/1.1\r\nHost: gw\r\nIf-None-Match: \"v1\"\r\nConnection: close\r\n\r\n");
        assertThat(notModified)
                .startsWith("HTTP/1.1 304 ")
                .contains("ETag: \"v1\"")
                .endsWith("\r\n\r\n");
        assertThat(notModified.toLowerCase(java.util.Locale.ROOT))
                .as("a 304 declares no length the 200 would not have")
                .doesNotContain("content-length")
                .doesNotContain("transfer-encoding");
    }

    private static final String OK = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void aClientTooSlowToReadItsDownloadNeverGetsTheUpstreamEjected() throws Exception {
        int size = 16 * 1024 * 1024;
        URI large = raw("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n" + "x".repeat(size));
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(large), PolicyChain.empty(), Duration.ofMillis(500))
                        .withHealth(new GatewayRoute.PassiveHealth(1, Duration.ofSeconds(30)))
                        .withCircuitBreaker(PATIENT))
                .build()
                .start();

        try (Socket slow = new Socket("127.0.0.1", gateway.uri().getPort())) {
            slow.setReceiveBufferSize(4096);
            slow.getOutputStream().write("GET /big HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(1_500); // reads nothing past the route's timeout
        }
        String next = rawExchange(gateway.uri(), "GET /big HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

        assertThat(next)
                .as("the upstream was waiting on the slow client, not failing")
                .startsWith("HTTP/1.1 200 ");
    }

    @Test
    void theGatewaysOwn502ForAnUnreachableUpstreamIsNeverReplayed() throws Exception {
        PolicyChain idempotent = PolicyChain.builder()
                .add(
                        "idempotency",
                        IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                                .build())
                .build();
        EchoServlet service = new EchoServlet();
        URI alive = echo(service);
        URI unreachable = dead();
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/pay", List.of(unreachable), idempotent, Duration.ofSeconds(5))
                        .withHealth(TOLERANT)
                        .withCircuitBreaker(PATIENT))
                .build()
                .start();
        String pay = "POST /pay HTTP/1.1\r\nHost: gw\r\nIdempotency-Key: \"order-2\"\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n{}";

        String first = rawExchange(gateway.uri(), pay);
        String retried = rawExchange(gateway.uri(), pay);
        gateway.replaceRoutes(
                List.of(new GatewayRoute("/pay", List.of(alive), idempotent, Duration.ofSeconds(5))),
                List.of(),
                PolicyChain.empty());
        String once = rawExchange(gateway.uri(), pay);
        String replayed = rawExchange(gateway.uri(), pay);

        assertThat(first).startsWith("HTTP/1.1 502 ");
        assertThat(retried)
                .as("the request never left: the retry tries again")
                .startsWith("HTTP/1.1 502 ")
                .doesNotContainIgnoringCase("Idempotent-Replayed");
        assertThat(once).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("Idempotent-Replayed");
        assertThat(replayed).startsWith("HTTP/1.1 200 ").containsIgnoringCase("Idempotent-Replayed: true");
        assertThat(service.executions()).isEqualTo(1);
    }

    @Test
    void anUpstreamThatDiesMidBodyOnAnIdempotentRouteIsA502AndTheKeyIsFreeAfterItsLease() throws Exception {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        AtomicInteger calls = new AtomicInteger();
        PolicyChain idempotent = PolicyChain.builder()
                .add(
                        "idempotency",
                        IdempotencyPolicy.builder(InMemoryIdempotencyStore.withNanoClock(1_000, nanos::get))
                                .lease(Duration.ofSeconds(1))
                                .build())
                .build();
        URI dying = raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\nhello", calls);
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/pay", List.of(dying), idempotent, Duration.ofSeconds(5))
                        .withHealth(TOLERANT)
                        .withCircuitBreaker(PATIENT))
                .build()
                .start();
        String pay = "POST /pay HTTP/1.1\r\nHost: gw\r\nIdempotency-Key: \"order-1\"\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n{}";

        String first = rawExchange(gateway.uri(), pay);
        String duringLease = rawExchange(gateway.uri(), pay);
        nanos.addAndGet(Duration.ofMillis(1_200).toNanos());
        String afterLease = rawExchange(gateway.uri(), pay);

        assertThat(first)
                .as("nothing of the response had reached the client")
                .startsWith("HTTP/1.1 502 ")
                .contains("application/problem+json");
        assertThat(duringLease).startsWith("HTTP/1.1 409 ");
        assertThat(afterLease)
                .as("the claim lapsed: the retry runs, never a 409 until the record's TTL")
                .startsWith("HTTP/1.1 502 ");
        assertThat(calls).hasValue(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST with a body"})
    void aConnectionClosedUnderAnIdempotentRequestIsTriedOnceMoreAndCountsAgainstNothing(String request)
            throws Exception {
        // The first connection is closed as the request arrives, as when an upstream's keep-alive timeout races a
        // request on a pooled connection; the next ones are answered.
        AtomicInteger accepted = new AtomicInteger();
        URI upstream = scripted(socket -> {
            socket.getInputStream().read(new byte[8192]);
            if (accepted.incrementAndGet() > 1) {
                socket.getOutputStream().write(OK.getBytes(StandardCharsets.US_ASCII));
            }
        });
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(upstream), PolicyChain.empty(), Duration.ofSeconds(5))
                        // One failure would eject the only upstream.
                        .withHealth(new GatewayRoute.PassiveHealth(1, Duration.ofSeconds(30)))
                        .withCircuitBreaker(PATIENT))
                .build()
                .start();

        boolean get = request.equals("GET");
        String first = rawExchange(
                gateway.uri(),
                get
                        ? "GET /a HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
                        : "POST /a HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
        String next = rawExchange(gateway.uri(), "GET /b HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

        if (get) {
            assertThat(first).startsWith("HTTP/1.1 201 ");
            assertThat(accepted).hasValue(3);
            assertThat(next).as("the upstream was not ejected").startsWith("HTTP/1.1 201 ");
        } else {
            // A request with a body may have been acted on: never sent twice.
            assertThat(first).startsWith("HTTP/1.1 502 ");
            assertThat(accepted).hasValue(1);
            assertThat(next)
                    .as("the failure counted: the only upstream is ejected")
                    .startsWith("HTTP/1.1 503 ");
        }
    }

    @ParameterizedTest(name = "stalls after the head: {0}")
    @ValueSource(booleans = {false, true})
    void theRouteTimeoutBoundsEachSilenceNotAStreamThatKeepsComing(boolean stalls) throws Exception {
        // Eight chunks 150 ms apart: 1.2 s in all, against a route timeout of 500 ms.
        URI upstream = scripted(socket -> {
            socket.getInputStream().read(new byte[8192]);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 8; i++) {
                out.write(("9\r\ndata: " + i + "\n\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(stalls && i == 1 ? 2_000 : 150);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(upstream), PolicyChain.empty(), Duration.ofMillis(500))
                        .withHealth(TOLERANT)
                        .withCircuitBreaker(PATIENT))
                .build()
                .start();

        String response = rawExchange(gateway.uri(), "GET /events HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 ").contains("data: 1");
        if (stalls) {
            assertThat(response)
                    .as("cut after 500 ms of silence")
                    .doesNotContain("data: 2")
                    .doesNotEndWith("0\r\n\r\n");
        } else {
            assertThat(response).contains("data: 7").endsWith("0\r\n\r\n");
        }
    }

    @Test
    void anUnsolicitedSwitchingProtocolsIsA502NeverRelayed() throws Exception {
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(route(
                        "/switch",
                        raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")))
                .build()
                .start();

        String response = rawExchange(
                gateway.uri(),
                "GET /switch HTTP/1.1\r\nHost: gw\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Connection: close\r\n\r\n");

        assertThat(response)
                .startsWith("HTTP/1.1 502 ")
                .contains("application/problem+json")
                .doesNotContain(" 101 ");
    }

    @Test
    void aggregationPartsThatAreEmptyOrNotOneJsonValueAreMissingAndOnlyGetIsAnswered() throws Exception {
        URI json = raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        URI empty = raw("HTTP/1.1 204 No Content\r\n\r\n");
        URI trailing = raw("HTTP/1.1 200 OK\r\nContent-Length: 23\r\n\r\n{\"ok\":true} <html>junk");
        Map<String, URI> some = new java.util.LinkedHashMap<>();
        some.put("json", json);
        some.put("empty", empty);
        some.put("trailing", trailing);
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .aggregate(new Gateway.Aggregation("/some", some, PolicyChain.empty(), Duration.ofSeconds(2)))
                .aggregate(new Gateway.Aggregation(
                        "/none",
                        Map.of("empty", empty, "trailing", trailing),
                        PolicyChain.empty(),
                        Duration.ofSeconds(2)))
                .build()
                .start();

        String partial = rawExchange(gateway.uri(), "GET /some HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        String none = rawExchange(gateway.uri(), "GET /none HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        String post = rawExchange(
                gateway.uri(), "POST /some HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        assertThat(partial)
                .startsWith("HTTP/1.1 200 ")
                .containsIgnoringCase("X-Gatehouse-Partial: empty,trailing")
                .endsWith("{\"json\":{\"ok\":true},\"empty\":null,\"trailing\":null}");
        assertThat(none).startsWith("HTTP/1.1 502 ");
        assertThat(post).startsWith("HTTP/1.1 405 ").contains("application/problem+json");
    }

    @Test
    void aClientPausingInAStreamedBodyIsA408AndNeverCountsAgainstTheUpstream() throws Exception {
        URI upstream = scripted(socket -> {
            socket.getInputStream().read(new byte[8192]); // waits for the rest, which never comes in time
            Thread.sleep(3_000);
        });
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(upstream), PolicyChain.empty(), Duration.ofMillis(500))
                        .withRequestBuffer(0)
                        // One failure would eject the only upstream.
                        .withHealth(new GatewayRoute.PassiveHealth(1, Duration.ofSeconds(30)))
                        .withCircuitBreaker(PATIENT))
                .build()
                .start();

        String paused;
        try (Socket client = new Socket("127.0.0.1", gateway.uri().getPort())) {
            client.setSoTimeout(5_000);
            client.getOutputStream()
                    .write("POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n0123456789"
                            .getBytes(StandardCharsets.US_ASCII));
            paused = new String(client.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }

        assertThat(paused).startsWith("HTTP/1.1 408");
        assertThat(gateway.status().get(0).get("upstreams").toString())
                .as("the upstream is still in")
                .doesNotContain("ejected");
    }

    @Test
    void anUpstreamsEarlyHintsReachAnHttp11ClientBeforeTheResponseAndNeverAnHttp10One() throws Exception {
        String hints = "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload; as=style\r\n"
                + "Connection: X-Hop\r\nX-Hop: 1\r\n\r\n";
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(route("/hints", raw(hints + OK)))
                .build()
                .start();

        String http11 = rawExchange(gateway.uri(), "GET /hints HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        String http10 = rawExchange(gateway.uri(), "GET /hints HTTP/1.0\r\nHost: gw\r\n\r\n");

        assertThat(http11).startsWith("HTTP/1.1 103 Early Hints\r\n").endsWith("\r\n\r\nok");
        String interim = http11.substring(0, http11.indexOf("\r\n\r\n"));
        assertThat(interim)
                .contains("\r\nLink: </app.css>; rel=preload; as=style")
                .doesNotContain("X-Hop");
        assertThat(http11.substring(interim.length() + 4)).startsWith("HTTP/1.1 201 ");
        assertThat(http10)
                .startsWith("HTTP/1.")
                .contains(" 201 ")
                .doesNotContain(" 103 ")
                .endsWith("\r\n\r\nok");
    }

    @Test
    void aReloadLetsRequestsInFlightFinishOnTheOldRoutes() throws Exception {
        EchoServlet before = new EchoServlet();
        EchoServlet after = new EchoServlet();
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(echo(before)), PolicyChain.empty(), Duration.ofSeconds(10)))
                .build()
                .start();
        URI uri = gateway.uri();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(CLIENT.sendAsync(
                    HttpRequest.newBuilder(uri.resolve("/slow/" + i + "?sleep_ms=800&size=20000"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (before.executions() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(before.executions()).isEqualTo(4);

        gateway.replaceRoutes(
                List.of(new GatewayRoute("/", List.of(echo(after)), PolicyChain.empty(), Duration.ofSeconds(10))),
                List.of(),
                PolicyChain.empty());
        HttpResponse<String> next =
                CLIENT.send(HttpRequest.newBuilder(uri.resolve("/next")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(after.executions()).isEqualTo(1);
        for (CompletableFuture<HttpResponse<String>> response : inFlight) {
            assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(response.get().body()).hasSize(20000);
        }
        assertThat(before.executions())
                .as("the old routes' upstream got nothing new")
                .isEqualTo(4);
    }

    private static GatewayRoute route(String prefix, URI upstream) {
        return new GatewayRoute(prefix, List.of(upstream), PolicyChain.empty(), Duration.ofMillis(500))
                .withHealth(TOLERANT)
                .withCircuitBreaker(PATIENT);
    }

    private Map<String, Integer> recentCalls() {
        Map<String, Integer> calls = new java.util.TreeMap<>();
        for (Map<String, Object> route : gateway.status()) {
            Map<?, ?> breaker = (Map<?, ?>) route.get("circuitBreaker");
            calls.put((String) route.get("route"), (Integer) breaker.get("recentCalls"));
        }
        return calls;
    }

    private void awaitNoPermitsInFlight(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !allEnded()) {
            Thread.sleep(20);
        }
        assertThat(gateway.status())
                .as("permits in flight per route")
                .allSatisfy(route -> assertThat(route.get("permitsInFlight")).isEqualTo(0));
    }

    private boolean allEnded() {
        return gateway.status().stream().allMatch(route -> Integer.valueOf(0).equals(route.get("permitsInFlight")));
    }

    private static int get(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(uri));
    }

    private static int send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Sends a request and goes away before the answer. */
    private static void clientAbort(URI gateway, String path) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(100);
        }
        Thread.sleep(400);
    }

    private static String rawExchange(URI gateway, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(DemoGatewayTest.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    private URI echo(EchoServlet servlet) throws Exception {
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

    private static URI dead() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    /** A raw upstream that reads the request head, writes {@code answer} and closes (an empty answer: a reset). */
    private URI raw(String answer) throws IOException {
        return raw(answer, new AtomicInteger());
    }

    /** As {@link #raw(String)}, counting the connections it answers in {@code accepted}. */
    /**
     * Reads a request head up to its blank line: a socket closed with request bytes still unread is reset, and the
     * reset can destroy the answer on its way to the gateway.
     */
    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    private URI raw(String answer, AtomicInteger accepted) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        rawBackends.add(server);
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    accepted.incrementAndGet();
                    readHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (answer.isEmpty()) {
                        socket.setSoLinger(true, 0);
                    }
                } catch (IOException ignored) {
                    // closed by the test
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }
    /** What a scripted upstream does with each connection it accepts. */
    @FunctionalInterface
    interface Script {
        void serve(Socket socket) throws Exception;
    }

    /** An upstream that runs {@code script} on each connection, one at a time, and closes it after. */
    private URI scripted(Script script) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        rawBackends.add(server);
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    script.serve(socket);
                } catch (Exception ignored) {
                    // closed by the test, or the gateway went away
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }
}
