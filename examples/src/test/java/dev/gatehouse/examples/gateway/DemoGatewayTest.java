package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.PolicyChain;
import java.io.ByteArrayOutputStream;
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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo gateway and its echo backend as real servers, driven by the JDK HttpClient and a raw socket. */
class DemoGatewayTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static DemoGateway demo;

    @BeforeAll
    static void start() throws Exception {
        demo = DemoGateway.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() throws Exception {
        demo.stop();
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(demo.uri().resolve(path));
    }

    @Test
    void healthIsAnsweredByTheGateway() throws Exception {
        long before = demo.echo().executions();
        HttpResponse<String> response = send(get("/health"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"up\"}");
        assertThat(demo.echo().executions()).isEqualTo(before);
    }

    @Test
    void forwardingHeadersComeFromTheGatewayNeverFromTheClient() throws Exception {
        HttpResponse<String> response = send(get("/public/hello")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Host", "evil.example")
                .header("Forwarded", "for=6.6.6.6")
                .header("Via", "1.1 spoofed"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode headers = JSON.readTree(response.body()).path("headers");
        assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("x-forwarded-host").asText())
                .isEqualTo(demo.uri().getAuthority());
        assertThat(headers.path("forwarded").asText())
                .contains("for=\"127.0.0.1\"")
                .doesNotContain("6.6.6.6");
        assertThat(headers.path("via").asText()).doesNotContain("spoofed");
        assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"minute\";q=60;w=60");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void forwardingHeadersAClientSendsInAnyLetterCaseNeverReachTheUpstream() throws Exception {
        String received;
        try (java.net.Socket socket =
                new java.net.Socket("127.0.0.1", demo.uri().getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(("GET /public/hello HTTP/1.1\r\nHost: " + demo.uri().getAuthority() + "\r\n"
                                    + "x-FORWARDED-for: 6.6.6.6\r\nX-forwarded-PROTO: gopher\r\n"
                                    + "x-forwarded-host: evil.example\r\nX-FORWARDED-PORT: 1\r\n"
                                    + "FORWARDED: for=6.6.6.6\r\nvIa: 1.1 spoofed\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            received = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        assertThat(received).startsWith("HTTP/1.1 200 ");
        JsonNode headers = JSON.readTree(received.substring(received.indexOf("\r\n\r\n") + 4))
                .path("headers");
        assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(headers.path("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(headers.path("x-forwarded-host").asText())
                .isEqualTo(demo.uri().getAuthority());
        assertThat(headers.has("x-forwarded-port")).isFalse();
        assertThat(headers.path("forwarded").isTextual()).isTrue();
        assertThat(headers.path("forwarded").asText()).doesNotContain("6.6.6.6");
        assertThat(headers.path("via").asText()).isEqualTo("1.1 gatehouse");
    }

    @Test
    void aPublicRouteWithoutAuthenticationNeverForwardsAClientsIdentityHeaders() throws Exception {
        HttpResponse<String> response = send(get("/public/hello")
                .header("X-User-Id", "admin")
                .header("x_user_id", "admin")
                .header("X-SCOPES", "admin:*")
                .header("X_Tenant_Id", "other-tenant"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode headers = JSON.readTree(response.body()).path("headers");
        assertThat(headers.has("x-user-id")).isFalse();
        assertThat(headers.has("x_user_id")).isFalse();
        assertThat(headers.has("x-scopes")).isFalse();
        assertThat(headers.has("x_tenant_id")).isFalse();
        assertThat(response.body()).doesNotContain("admin").doesNotContain("other-tenant");
    }

    @Test
    void theApiNeedsAJwtOrAnApiKeyAndStripsSpoofedIdentity() throws Exception {
        long before = demo.echo().executions();
        HttpResponse<String> anonymous = send(get("/api/orders").header("X-User-Id", "admin"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(demo.echo().executions()).isEqualTo(before);

        HttpResponse<String> withJwt = send(get("/api/orders")
                .header("Authorization", "Bearer " + demo.token())
                .header("X-User-Id", "admin")
                .header("X_Plan", "enterprise"));
        JsonNode jwtHeaders = JSON.readTree(withJwt.body()).path("headers");
        assertThat(withJwt.statusCode()).isEqualTo(200);
        assertThat(jwtHeaders.path("x-user-id").asText()).isEqualTo("demo-user");
        assertThat(jwtHeaders.path("x-plan").asText()).isEqualTo("premium");
        assertThat(jwtHeaders.has("x_plan")).isFalse();

        HttpResponse<String> withKey = send(get("/api/orders").header("X-Api-Key", demo.apiKey()));
        assertThat(withKey.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(withKey.body())
                        .path("headers")
                        .path("x-user-id")
                        .asText())
                .isEqualTo("demo-service");

        HttpResponse<String> badToken =
                send(get("/api/orders").header("Authorization", "Bearer " + demo.token() + "x"));
        assertThat(badToken.statusCode()).isEqualTo(401);
        assertThat(badToken.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer error=\"invalid_token\""));
    }

    @Test
    void aRetriedPostRunsOnce() throws Exception {
        long before = demo.echo().executions();
        String key = "\"" + UUID.randomUUID() + "\"";
        HttpRequest.Builder payment = get("/api/payments")
                .header("Authorization", "Bearer " + demo.token())
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":42}"));

        HttpResponse<String> first = send(payment);
        HttpResponse<String> retry = send(payment);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(demo.echo().executions()).isEqualTo(before + 1);
    }

    @Test
    void traceIsRefusedAndMaxForwardsZeroIsAnsweredByTheGateway() throws Exception {
        long before = demo.echo().executions();
        HttpResponse<String> trace = send(get("/public/hello").method("TRACE", HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> options = send(get("/public/hello")
                .header("Max-Forwards", "0")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        HttpResponse<String> zeroes = send(get("/public/hello")
                .header("Max-Forwards", "00")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(trace.statusCode()).isEqualTo(405);
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("Allow")).isPresent();
        assertThat(zeroes.statusCode()).isEqualTo(200);
        assertThat(demo.echo().executions()).isEqualTo(before);
    }

    @Test
    void anOptionsRequestGoesOnWithOneHopFewer() throws Exception {
        HttpResponse<String> options = send(get("/public/hello")
                .header("Max-Forwards", "5")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> other = send(get("/public/hello").header("Max-Forwards", "5"));

        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(options.body())
                        .path("headers")
                        .path("max-forwards")
                        .asText())
                .isEqualTo("4");
        assertThat(JSON.readTree(other.body())
                        .path("headers")
                        .path("max-forwards")
                        .asText())
                .as("only OPTIONS and TRACE count hops")
                .isEqualTo("5");
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        HttpResponse<String> response = send(get("/nowhere"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void headersTheBackendNamesInConnectionNeverReachTheClient() throws Exception {
        HttpResponse<String> response =
                send(get("/public/hello?header=Connection:X-Internal&header=X-Internal:secret&header=X-Public:yes"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Internal")).isEmpty();
        assertThat(response.headers().firstValue("X-Public")).hasValue("yes");
    }

    @Test
    void headersTheClientNamesInConnectionNeverReachTheBackend() throws Exception {
        URI uri = demo.uri();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /public/hop HTTP/1.1\r\nHost: " + uri.getAuthority()
                            + "\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 200");
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertThat(body)
                    .contains("\"path\":\"/public/hop\"")
                    .doesNotContain("x-secret")
                    .doesNotContain("keep-alive");
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toByteArray();
    }

    @Test
    void anUnreachableUpstreamIs502AndASlowOneIs504() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        // The slow route forwards to the demo gateway, whose public route reaches the echo backend.
        Gateway gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute(
                        "/down",
                        List.of(URI.create("http://127.0.0.1:" + closedPort)),
                        PolicyChain.empty(),
                        Duration.ofSeconds(5)))
                .route(new GatewayRoute("/public", List.of(demo.uri()), PolicyChain.empty(), Duration.ofMillis(300)))
                .build()
                .start();
        try {
            HttpResponse<String> down =
                    send(HttpRequest.newBuilder(gateway.uri().resolve("/down/x")));
            assertThat(down.statusCode()).isEqualTo(502);

            HttpResponse<String> fast =
                    send(HttpRequest.newBuilder(gateway.uri().resolve("/public/x")));
            assertThat(fast.statusCode()).isEqualTo(200);
            long start = System.nanoTime();
            HttpResponse<String> timedOut =
                    send(HttpRequest.newBuilder(gateway.uri().resolve("/public/x?sleep_ms=2000")));
            assertThat(timedOut.statusCode()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1800));
        } finally {
            gateway.stop();
        }
    }

    @Test
    void speaksHttp2OverTlsAndH2c() throws Exception {
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("demo", demo.certificate());
        javax.net.ssl.TrustManagerFactory trust =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        HttpClient h2 = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_2)
                .build();

        HttpResponse<String> overTls = h2.send(
                HttpRequest.newBuilder(demo.tlsUri().resolve("/public/tls")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overTls.statusCode()).isEqualTo(200);
        assertThat(overTls.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(JSON.readTree(overTls.body())
                        .path("headers")
                        .path("x-forwarded-proto")
                        .asText())
                .isEqualTo("https");
        assertThat(overTls.headers().firstValue("x-request-id")).isPresent();

        HttpClient cleartext =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> h2c = cleartext.send(
                HttpRequest.newBuilder(demo.uri().resolve("/public/h2c")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h2c.statusCode()).isEqualTo(200);
        assertThat(h2c.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void theDashboardMergesThreeBackendsCalledInParallel() throws Exception {
        HttpResponse<String> anonymous = send(get("/dashboard"));
        assertThat(anonymous.statusCode()).isEqualTo(401);

        HttpResponse<String> response = send(get("/dashboard").header("Authorization", "Bearer " + demo.token()));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode dashboard = JSON.readTree(response.body());
        assertThat(dashboard.path("users").path("id").asText()).isEqualTo("demo-user");
        assertThat(dashboard.path("orders")).hasSize(2);
        assertThat(dashboard.path("notifications")).hasSize(1);
        assertThat(response.headers().firstValue("X-Gatehouse-Partial")).isEmpty();
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aSlowOrDeadPartIsNullAndNamedAsPartial() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        java.util.Map<String, URI> parts = new java.util.LinkedHashMap<>();
        parts.put("fast", demo.uri().resolve("/public/fast"));
        parts.put("slow", demo.uri().resolve("/public/slow?sleep_ms=3000"));
        parts.put("dead", URI.create("http://127.0.0.1:" + closedPort + "/x"));
        Gateway gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .aggregate(new Gateway.Aggregation("/all", parts, PolicyChain.empty(), Duration.ofMillis(500)))
                .build()
                .start();
        try {
            long start = System.nanoTime();
            HttpResponse<String> response =
                    send(HttpRequest.newBuilder(gateway.uri().resolve("/all")));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Gatehouse-Partial")).hasValue("slow,dead");
            JsonNode merged = JSON.readTree(response.body());
            assertThat(merged.path("fast").path("path").asText()).isEqualTo("/public/fast");
            assertThat(merged.get("slow").isNull()).isTrue();
            assertThat(merged.get("dead").isNull()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        } finally {
            gateway.stop();
        }
    }

    @Test
    void aPartLargerThanTheLimitIsNullAndNoMoreOfItIsRead() throws Exception {
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        try (ServerSocket flood = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket socket = flood.accept()) {
                    socket.getInputStream().read(new byte[8192]);
                    java.io.OutputStream out = socket.getOutputStream();
                    out.write(
                            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000000000\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    while (sent.get() < 4_000_000_000L) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                } catch (java.io.IOException gatewayHungUp) {
                    // expected
                }
            });
            server.setDaemon(true);
            server.start();
            java.util.Map<String, URI> parts = new java.util.LinkedHashMap<>();
            parts.put("fast", demo.uri().resolve("/public/fast"));
            parts.put("big", URI.create("http://127.0.0.1:" + flood.getLocalPort() + "/x"));
            Gateway gateway = Gateway.builder()
                    .listen("127.0.0.1", 0)
                    .aggregate(new Gateway.Aggregation("/all", parts, PolicyChain.empty(), Duration.ofSeconds(20)))
                    .build()
                    .start();
            try {
                HttpResponse<String> response =
                        send(HttpRequest.newBuilder(gateway.uri().resolve("/all")));
                server.join(10_000);

                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("X-Gatehouse-Partial")).hasValue("big");
                assertThat(server.isAlive())
                        .as("the gateway hung up on the part")
                        .isFalse();
                assertThat(sent.get()).isLessThan(64L * 1024 * 1024);
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void theBannerPrintsTheCredentialsAndCurlLinesThatWork() {
        String banner = demo.banner();

        assertThat(banner)
                .contains(demo.uri().toString())
                .contains(demo.tlsUri().toString())
                .contains("curl -i -H 'Authorization: Bearer " + demo.token() + "' " + demo.uri() + "/api/orders")
                .contains("curl -i -H 'X-Api-Key: " + demo.apiKey() + "'")
                .doesNotContain("%");
    }

    static String raw(String request) throws IOException {
        URI uri = demo.uri();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.replace("HOST", uri.getAuthority()).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "POST /public/x HTTP/1.1\r\nHost: HOST\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /public/smuggled HTTP/1.1\r\nHost: HOST\r\n\r\n",
                "POST /public/x HTTP/1.1\r\nHost: HOST\r\nContent-Length: 4\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde",
                "POST /public/x HTTP/1.1\r\nHost: HOST\r\nContent-Length: -1\r\nConnection: close\r\n\r\n",
                "GET /public/x HTTP/1.1\r\nHost: HOST\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n",
                "GET /public/x HTTP/1.1\r\nHost : HOST\r\nConnection: close\r\n\r\n",
                "GET /public/x HTTP/1.1\r\nHost: HOST\r\nHost: other\r\nConnection: close\r\n\r\n",
                "POST /public/x HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
            })
    void malformedFramingIs400AndNothingReachesTheBackend(String request) throws Exception {
        long before = demo.echo().executions();

        String response = raw(request.replace("\\r\\n", "\r\n"));

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).doesNotContain("/public/smuggled");
        assertThat(demo.echo().executions()).isEqualTo(before);
    }

    @Test
    void anOversizedUriIs414AndOversizedHeadersAre431() throws Exception {
        String longPath = "/public/" + "a".repeat(20_000);
        assertThat(raw("GET " + longPath + " HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 414");
        assertThat(raw("GET /public/x HTTP/1.1\r\nHost: HOST\r\nX-Big: " + "b".repeat(20_000)
                        + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 431");
    }

    @Test
    void theAdminPortServesPrometheusMetricsAndStatus() throws Exception {
        send(get("/public/metrics-probe"));
        double rejectedBefore = metric("gatehouse_policy_decisions_total{outcome=\"reject\",policy=\"auth\"}");
        double proceededBefore = metric("gatehouse_policy_decisions_total{outcome=\"proceed\",policy=\"request-id\"}");

        assertThat(send(get("/api/orders")).statusCode()).isEqualTo(401);
        assertThat(send(get("/api/orders").header("Authorization", "Bearer " + demo.token()))
                        .statusCode())
                .isEqualTo(200);

        assertThat(metric("gatehouse_policy_decisions_total{outcome=\"reject\",policy=\"auth\"}"))
                .isEqualTo(rejectedBefore + 1);
        assertThat(metric("gatehouse_policy_decisions_total{outcome=\"proceed\",policy=\"request-id\"}"))
                .isEqualTo(proceededBefore + 2);
        HttpResponse<String> metrics =
                send(HttpRequest.newBuilder(demo.adminUri().resolve("/metrics")));
        assertThat(metrics.body())
                .contains("gatehouse_exchanges_seconds_count")
                .as("exchanges are counted per route, not all under /**")
                .containsPattern("gatehouse_exchanges_seconds_count\\{[^}]*route=\"/api/\\*\\*\"[^}]*status=\"2xx\"")
                .containsPattern("gatehouse_exchanges_seconds_count\\{[^}]*route=\"/api/\\*\\*\"[^}]*status=\"4xx\"")
                .contains("gatehouse_ratelimit_store_down{policy=\"public\"} 0.0")
                .contains("gatehouse_idempotency_store_down{policy=\"api\"} 0.0")
                .containsPattern("gatehouse_gateway_upstream_up\\{route=\"/public\",upstream=\"127.0.0.1:\\d+\"} 1.0")
                .as("the process's own meters: memory, threads, descriptors")
                .contains("jvm_memory_used_bytes{")
                .contains("jvm_threads_live_threads ")
                .contains("process_files_open_files ");

        HttpResponse<String> status =
                send(HttpRequest.newBuilder(demo.adminUri().resolve("/admin/status")));
        JsonNode routes = JSON.readTree(status.body()).path("routes");
        assertThat(routes).hasSize(2);
        assertThat(routes.get(0).path("route").asText()).isEqualTo("/public");
        assertThat(routes.get(0).path("upstreams").get(0).path("health").asText())
                .isEqualTo("healthy");
        assertThat(JSON.readTree(status.body())
                        .path("stores")
                        .path("ratelimit")
                        .path("down")
                        .asBoolean(true))
                .isFalse();
        assertThat(send(get("/metrics")).statusCode()).isEqualTo(404);
    }

    @Test
    void theDemosAdminPortServesTheConsoleAndItsRefusals() throws Exception {
        assertThat(send(get("/api/orders")).statusCode()).isEqualTo(401);

        HttpResponse<String> page = send(HttpRequest.newBuilder(demo.adminUri().resolve("/")));
        JsonNode status =
                JSON.readTree(send(HttpRequest.newBuilder(demo.adminUri().resolve("/admin/status")))
                        .body());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Gatehouse admin</title>");
        assertThat(status.path("refusals").path("recent").get(0).path("policy").asText())
                .isEqualTo("auth");
        assertThat(status.path("routes").get(1).path("policies").toString()).contains("\"idempotency\"");
        assertThat(status.path("config").isNull()).isTrue();
    }

    /** One sample of the admin port's Prometheus text, by its exact name and labels. */
    static double metric(String series) throws Exception {
        String body = send(HttpRequest.newBuilder(demo.adminUri().resolve("/metrics")))
                .body();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    @Test
    void theCallersTraceReachesTheBackendWithTheGatewaysSpan() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        HttpResponse<String> response = send(get("/public/traced").header("traceparent", traceparent));

        String received = JSON.readTree(response.body())
                .path("headers")
                .path("traceparent")
                .asText();
        assertThat(received)
                .matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")
                .isNotEqualTo(traceparent);
    }
}
