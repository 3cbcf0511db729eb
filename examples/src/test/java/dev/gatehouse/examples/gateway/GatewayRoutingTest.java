package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.examples.backends.EchoServlet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path transforms, weights and pinning from the gateway's YAML, against real echo backends. */
class GatewayRoutingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    Path dir;

    private final List<Server> backends = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Server backend : backends) {
            backend.stop();
        }
    }

    private GatewayMain.Running start(String yaml) throws Exception {
        return GatewayMain.start(Files.writeString(dir.resolve("gateway.yaml"), yaml));
    }

    /** A gateway with one route, {@code /}, to {@code backend}. */
    private GatewayMain.Running startInFrontOf(URI backend) throws Exception {
        return start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [%s]
                """.formatted(backend));
    }

    private URI echo(EchoServlet servlet) throws Exception {
        return GatewayResilienceTest.echo(servlet, backends);
    }

    private static HttpResponse<String> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode echoed(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String rawGet(URI gateway, String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.getPort())) {
            socket.setSoTimeout(5000);
            String request = "GET " + target + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(DemoGatewayTest.readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void stripPrefixSendsTheRestOfThePathUnderTheUpstreamsBaseWithTheQueryUnchanged() throws Exception {
        URI backend = echo(new EchoServlet());
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /api
                    upstreams: [%s/v2]
                    stripPrefix: true
                """.formatted(backend))) {
            URI gateway = running.gateway.uri();

            JsonNode orders = echoed(get(gateway.resolve("/api/orders/7?x=1&y=a%20b")));
            JsonNode bare = echoed(get(gateway.resolve("/api")));

            assertThat(orders.path("path").asText()).isEqualTo("/v2/orders/7");
            assertThat(orders.path("query").path("x").asText()).isEqualTo("1");
            assertThat(orders.path("query").path("y").asText()).isEqualTo("a b");
            assertThat(bare.path("path").asText()).isEqualTo("/v2/");
        }
    }

    @Test
    void theUpstreamGetsItsOwnHostAndTheClientsGoesInXForwardedHost() throws Exception {
        URI backend = echo(new EchoServlet());
        try (GatewayMain.Running running = startInFrontOf(backend)) {
            String received = rawGet(running.gateway.uri(), "/where");

            assertThat(received).startsWith("HTTP/1.1 200 ");
            JsonNode headers = JSON.readTree(received.substring(received.indexOf("\r\n\r\n") + 4))
                    .path("headers");
            assertThat(headers.path("host").asText()).isEqualTo(backend.getAuthority());
            assertThat(headers.path("x-forwarded-host").asText()).isEqualTo("gw");
        }
    }

    @Test
    void anUpstreamsAuthenticationChallengesReachTheClientWholeWithBodiesOfAnySize() throws Exception {
        URI backend = echo(new EchoServlet());
        try (GatewayMain.Running running = startInFrontOf(backend)) {
            URI gateway = running.gateway.uri();
            for (int status : new int[] {401, 407}) {
                String challenge = status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
                HttpResponse<String> response = get(gateway.resolve(
                        "/login?status=" + status + "&size=200000&header=" + challenge + ":Basic%20realm%3Dorders"));

                assertThat(response.statusCode()).isEqualTo(status);
                assertThat(response.body()).hasSize(200_000).startsWith("{");
                if (status == 401) {
                    assertThat(response.headers().firstValue(challenge)).hasValue("Basic realm=orders");
                }
            }
        }
    }

    @Test
    void routesByMethodSendReadsAndWritesToTheirOwnUpstreamsAndOtherMethodsAre405WithAllow() throws Exception {
        EchoServlet reads = new EchoServlet();
        EchoServlet writes = new EchoServlet();
        URI readBackend = echo(reads);
        URI writeBackend = echo(writes);
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /orders
                    upstreams: [%s]
                  - path: /orders
                    methods: [POST]
                    upstreams: [%s]
                    cors: { allowOrigins: [https://app.example.com], allowMethods: [POST] }
                """.formatted(readBackend, writeBackend))) {
            URI gateway = running.gateway.uri();
            HttpResponse<String> read = get(gateway.resolve("/orders/7"));
            HttpResponse<String> written = CLIENT.send(
                    HttpRequest.newBuilder(gateway.resolve("/orders"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> deleted = CLIENT.send(
                    HttpRequest.newBuilder(gateway.resolve("/orders/7"))
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> preflight = CLIENT.send(
                    HttpRequest.newBuilder(gateway.resolve("/orders"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", "https://app.example.com")
                            .header("Access-Control-Request-Method", "POST")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> elsewhere = get(gateway.resolve("/customers"));

            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(written.statusCode()).isEqualTo(200);
            assertThat(writes.executions()).as("only the POST").isEqualTo(1);
            assertThat(deleted.statusCode())
                    .as("the route for any method, after the POST one")
                    .isEqualTo(200);
            assertThat(preflight.statusCode())
                    .as("the POST route's CORS answers its preflight")
                    .isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue("https://app.example.com");
            assertThat(elsewhere.statusCode()).isEqualTo(404);
            assertThat(reads.executions()).isEqualTo(2);
            assertThat(writes.executions()).isEqualTo(1);
        }
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /orders
                    methods: [GET]
                    upstreams: [%s]
                  - path: /orders
                    methods: [POST]
                    upstreams: [%s]
                """.formatted(readBackend, writeBackend))) {
            HttpResponse<String> deleted = CLIENT.send(
                    HttpRequest.newBuilder(running.gateway.uri().resolve("/orders/7"))
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(deleted.statusCode()).isEqualTo(405);
            assertThat(deleted.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
            assertThat(deleted.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(reads.executions() + writes.executions()).isEqualTo(3);
        }
        for (String bad : List.of("methods: []", "methods: [\"G E T\"]")) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                            routes:
                              - path: /
                                upstreams: [builtin:echo]
                                %s
                            """.formatted(bad)))
                    .as(bad)
                    .hasMessageStartingWith("gateway.yaml line")
                    .hasMessageContaining("routes[0]: method");
        }
    }

    @Test
    void aRewriteReplacesThePathWithItsGroups() throws Exception {
        URI backend = echo(new EchoServlet());
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /api
                    upstreams: [%s]
                    stripPrefix: true
                    rewrite: { from: "^/users/(\\\\d+)/orders$", to: "/v1/customers/$1/orders" }
                """.formatted(backend))) {
            JsonNode echoed = echoed(get(running.gateway.uri().resolve("/api/users/42/orders?page=2")));

            assertThat(echoed.path("path").asText()).isEqualTo("/v1/customers/42/orders");
            assertThat(echoed.path("query").path("page").asText()).isEqualTo("2");
        }
    }

    @Test
    void aRewrittenPathThatWouldLeaveTheUpstreamIsRefusedWith400AndNeverSent() throws Exception {
        EchoServlet servlet = new EchoServlet();
        URI backend = echo(servlet);
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /r
                    upstreams: [%1$s]
                    rewrite: { from: "^/r/(.*)$", to: "$1" }
                  - path: /
                    upstreams: [%1$s]
                    rewrite: { from: "^/p([^/]*)/(.*)$", to: "/$1/$2" }
                """.formatted(backend))) {
            URI gateway = running.gateway.uri();
            for (String target : List.of(
                    "/r/@evil.example/x",
                    "/r/evil.example/x",
                    "/r/http:evil.example",
                    "/r/HTTP:evil.example",
                    "/p/evil.example/x",
                    "/p../admin",
                    "/p%2e%2e/admin",
                    "/p%2E%2E/admin",
                    "/p%2e%2E/admin",
                    "/p.%2E/admin")) {
                String answer = rawGet(gateway, target);

                assertThat(answer).as(target).startsWith("HTTP/1.1 400 ");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT))
                        .as(target)
                        .contains("content-type: application/problem+json");
                assertThat(answer).as(target).contains("The path or query cannot be sent upstream.");
            }
            // Jetty itself already refuses these (encoded CR/LF, %2F, %5C, %25) before any route sees them.
            for (String target : List.of(
                    "/px%0d%0aX:%201/y", "/px%0D%0AX:%201/y", "/r/%2Fevil", "/p%5c%5Cevil/x", "/p%252e%252e/a")) {
                assertThat(rawGet(gateway, target)).as(target).startsWith("HTTP/1.1 400 ");
            }
            assertThat(servlet.executions()).as("requests the upstream got").isZero();
            assertThat(echoed(get(gateway.resolve("/pv2/fine?q=1")))
                            .path("path")
                            .asText())
                    .isEqualTo("/v2/fine");
        }
    }

    @Test
    void weights95To5SplitTenThousandRequestsWithinOnePercentagePoint() throws Exception {
        EchoServlet stable = new EchoServlet();
        EchoServlet canary = new EchoServlet();
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [{ url: "%s", weight: 95 }, { url: "%s", weight: 5 }]
                """.formatted(echo(stable), echo(canary)))) {
            URI uri = running.gateway.uri().resolve("/split");
            for (int i = 0; i < 10_000; i++) {
                assertThat(get(uri).statusCode()).isEqualTo(200);
            }
        }

        assertThat(stable.executions() + canary.executions()).isEqualTo(10_000);
        assertThat(canary.executions() / 100.0).as("canary %").isBetween(4.0, 6.0);
    }

    @Test
    void anEjectedUpstreamGetsNothingAndItsShareGoesToTheOthers() throws Exception {
        EchoServlet first = new EchoServlet();
        EchoServlet second = new EchoServlet();
        try (ServerSocket closed = new ServerSocket(0)) {
            closed.close();
            try (GatewayMain.Running running = start("""
                    listen: { port: 0 }
                    routes:
                      - path: /
                        upstreams: [{ url: "http://127.0.0.1:%d", weight: 8 }, "%s", { url: "%s", weight: 3 }]
                        passiveHealth: { failures: 1, ejectFor: 1h }
                    """.formatted(closed.getLocalPort(), echo(first), echo(second)))) {
                URI uri = running.gateway.uri().resolve("/x");
                assertThat(get(uri).statusCode())
                        .as("the dead upstream's first request")
                        .isEqualTo(502);

                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    statuses.add(get(uri).statusCode());
                }

                assertThat(statuses).containsOnly(200);
                assertThat(first.executions() + second.executions()).isEqualTo(400);
                assertThat(first.executions()).as("weight 1 of 4").isBetween(99L, 101L);
            }
        }
    }

    @Test
    void theSamePinValueAlwaysReachesTheSameUpstream() throws Exception {
        URI backend = echo(new EchoServlet());
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: ["%1$s/a", { url: "%1$s/b", weight: 2 }, "%1$s/c"]
                    pin: { header: X-Canary }
                """.formatted(backend))) {
            URI uri = running.gateway.uri().resolve("/p");
            java.util.Set<String> reached = new java.util.TreeSet<>();
            for (int user = 0; user < 40; user++) {
                java.util.Set<String> forUser = new java.util.TreeSet<>();
                for (int i = 0; i < 10; i++) {
                    forUser.add(echoed(get(uri, "X-Canary", "user-" + user))
                            .path("path")
                            .asText());
                }
                assertThat(forUser).as("user-" + user).hasSize(1);
                reached.addAll(forUser);
            }
            assertThat(reached).as("distinct values spread").containsExactly("/a/p", "/b/p", "/c/p");
        }
    }

    @Test
    void aPinCookiePicksTheUpstreamToo() throws Exception {
        URI backend = echo(new EchoServlet());
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: ["%1$s/a", "%1$s/b"]
                    pin: { cookie: canary }
                """.formatted(backend))) {
            URI uri = running.gateway.uri().resolve("/p");
            java.util.Set<String> reached = new java.util.TreeSet<>();
            for (int i = 0; i < 10; i++) {
                reached.add(echoed(get(uri, "Cookie", "session=s" + i + "; canary=alice"))
                        .path("path")
                        .asText());
            }
            assertThat(reached).hasSize(1);
        }
    }

    @Test
    void badWeightsRegexesAndPinsAreLocatedErrors() {
        for (String weight : List.of("0", "-2", "1.5", "heavy")) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                            routes:
                              - path: /api
                                upstreams: [http://a:1, { url: "http://b:1", weight: %s }]
                            """.formatted(weight)))
                    .as(weight)
                    .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                    .hasMessageStartingWith("gateway.yaml line 3")
                    .hasMessageContaining("routes[0].upstreams[1]");
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://a:1]
                            rewrite: { from: "^/(users", to: "/$1" }
                        """))
                .hasMessageStartingWith("gateway.yaml line 4")
                .hasMessageContaining("routes[0].rewrite: from: ^/(users (expected: a Java regular expression;");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://a:1]
                            pin: { header: X-Canary, cookie: canary }
                        """))
                .hasMessageStartingWith("gateway.yaml line 4")
                .hasMessageContaining("routes[0].pin: pin: header X-Canary, cookie canary (expected: exactly one");
    }
}
