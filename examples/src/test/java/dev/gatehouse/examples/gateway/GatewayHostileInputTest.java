package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a hostile or careless client sends, on raw sockets: hop-by-hop tricks, oversized and malformed input.
 * None of it may remove a header the gateway set, reach an upstream half-checked, or produce a 5xx.
 */
class GatewayHostileInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static DemoGateway demo;
    private Gateway gateway;

    @BeforeAll
    static void startDemo() throws Exception {
        demo = DemoGateway.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stopDemo() throws Exception {
        demo.stop();
    }

    @AfterEach
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void aClientConnectionHeaderCannotRemoveTheVerifiedIdentity() throws Exception {
        String response = exchange(
                demo.uri(),
                "GET /api/orders HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + demo.token()
                        + "\r\nConnection: close, X-User-Id, x-plan, X-Request-Id\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 ");
        JsonNode headers = JSON.readTree(body(response)).path("headers");
        assertThat(headers.path("x-user-id").asText()).isEqualTo("demo-user");
        assertThat(headers.path("x-plan").asText()).isEqualTo("premium");
        assertThat(headers.path("x-request-id").asText()).isNotEmpty();
    }

    @Test
    void forwardingAndIdentityFamiliesACLientSendsNeverReachTheUpstreamInAnySpelling() throws Exception {
        String request = "GET %s HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n%s"
                + "X-Real-IP: 1.2.3.4\r\nx_real_ip: 1.2.3.5\r\nX_Forwarded_For: 9.9.9.9\r\nX-Forwarded-Prefix: /x\r\n"
                + "X-Forwarded-Server: evil\r\nX-User-Name: admin\r\nx-user-email: a@b\r\nX-Auth-Foo: yes\r\n"
                + "X_User_Id: admin\r\nX-Request-Ok: kept\r\n\r\n";
        String open = exchange(demo.uri(), request.formatted("/public/a", ""));
        String authenticated = exchange(
                demo.uri(), request.formatted("/api/orders", "Authorization: Bearer " + demo.token() + "\r\n"));

        for (String response : List.of(open, authenticated)) {
            assertThat(response).startsWith("HTTP/1.1 200 ");
            JsonNode headers = JSON.readTree(body(response)).path("headers");
            List<String> names = new java.util.ArrayList<>();
            headers.fieldNames().forEachRemaining(names::add);
            assertThat(names)
                    .doesNotContain(
                            "x-real-ip",
                            "x_real_ip",
                            "x_forwarded_for",
                            "x-forwarded-prefix",
                            "x-forwarded-server",
                            "x-user-name",
                            "x-user-email",
                            "x-auth-foo",
                            "x_user_id")
                    .contains("x-request-ok");
            assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        }
        assertThat(JSON.readTree(body(authenticated))
                        .path("headers")
                        .path("x-user-id")
                        .asText())
                .as("the verified identity, set after the client's copies went")
                .isEqualTo("demo-user");
    }

    @Test
    void anAbsoluteFormHttpsTargetOnThePlainListenerIsNotHttps() throws Exception {
        String response = exchange(
                demo.uri(),
                "GET https://gw/public/a HTTP/1.1\r\nHost: gw\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 ");
        JsonNode headers = JSON.readTree(body(response)).path("headers");
        assertThat(headers.path("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(headers.path("forwarded").asText()).endsWith(";proto=http");
    }

    @Test
    void headerSectionsUnderTheListenerLimitAreForwardedAndLargerOnesAre431() throws Exception {
        String padded = exchange(
                demo.uri(),
                "GET /public/pad HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n" + padding(12 * 1024) + "\r\n");
        String oversized = exchange(
                demo.uri(),
                "GET /public/pad HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n" + padding(64 * 1024) + "\r\n");

        assertThat(padded).startsWith("HTTP/1.1 200 ");
        assertThat(oversized).startsWith("HTTP/1.1 431 ").contains("application/problem+json");
        assertThat(body(oversized)).contains("\"status\":431");
    }

    @Test
    void overHttp2AHeaderSectionPastTheLimitIsA431ProblemAndTheConnectionLivesOn() throws Exception {
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        java.net.http.HttpRequest.Builder small =
                java.net.http.HttpRequest.newBuilder(demo.uri().resolve("/public/small"));
        java.net.http.HttpResponse<String> upgraded = h2.send(small.build(), BodyHandlers.ofString());
        java.net.http.HttpResponse<String> tooLarge = h2.send(
                java.net.http.HttpRequest.newBuilder(demo.uri().resolve("/public/large"))
                        .header("X-Large", "a".repeat(17_000))
                        .build(),
                BodyHandlers.ofString());
        java.net.http.HttpResponse<String> after = h2.send(small.build(), BodyHandlers.ofString());

        assertThat(upgraded.statusCode()).isEqualTo(200);
        assertThat(tooLarge.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(tooLarge.statusCode()).isEqualTo(431);
        assertThat(tooLarge.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(after.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(after.statusCode()).isEqualTo(200);
    }

    @Test
    void cookieCrumbsOfAnHttp2RequestReachTheUpstreamAsOneField() throws Exception {
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        java.net.http.HttpRequest.Builder crumbs = java.net.http.HttpRequest.newBuilder(
                        demo.uri().resolve("/public/crumbs"))
                .header("Cookie", "sid=abc")
                .header("Cookie", "csrf=1");
        h2.send(crumbs.build(), BodyHandlers.ofString()); // the upgrade; then HTTP/2 with prior knowledge of it
        java.net.http.HttpResponse<String> response = h2.send(crumbs.build(), BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(JSON.readTree(response.body()).path("headers").path("cookie").asText())
                .isEqualTo("sid=abc; csrf=1");
    }

    @Test
    void transferEncodingInAnHttp2RequestIsA400ProblemNeverForwarded() throws Exception {
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        h2.send(
                java.net.http.HttpRequest.newBuilder(demo.uri().resolve("/public/upgrade"))
                        .build(),
                BodyHandlers.ofString()); // the h2c upgrade; the next request goes over HTTP/2
        java.net.http.HttpResponse<String> response = h2.send(
                java.net.http.HttpRequest.newBuilder(demo.uri().resolve("/public/te"))
                        .header("Transfer-Encoding", "gzip")
                        .build(),
                BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a buffered body", "a body a policy reads"})
    void anHttp2BodyShorterThanItsContentLengthEndsItsExchangeAndReleasesThePermit(String route) throws Exception {
        // Jetty resets such a stream itself and, once the connection closes, says no more: the exchange ended only
        // by the body readers' stall guard (the connection's idle timeout), and held the route's permit till then.
        PolicyChain chain = route.startsWith("a buffered")
                ? PolicyChain.empty()
                : PolicyChain.of(IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                        .build());
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .clientIdleTimeout(Duration.ofMillis(500))
                .route(new GatewayRoute("/", List.of(demo.uri()), chain, Duration.ofSeconds(5)))
                .build()
                .start();
        try (Socket socket = new Socket("127.0.0.1", gateway.uri().getPort())) {
            java.io.ByteArrayOutputStream headers = new java.io.ByteArrayOutputStream();
            for (String[] field : new String[][] {
                {":method", "POST"},
                {":scheme", "http"},
                {":authority", "gw"},
                {":path", "/public/short"},
                {"content-length", "1000"},
                {"idempotency-key", "\"short\""}
            }) {
                // HPACK: a literal field without indexing, new name, no Huffman coding (RFC 7541 §6.2.2).
                headers.write(0);
                headers.write(field[0].length());
                headers.write(field[0].getBytes(StandardCharsets.US_ASCII));
                headers.write(field[1].length());
                headers.write(field[1].getBytes(StandardCharsets.US_ASCII));
            }
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(h2Frame(4, 0, 0, new byte[0])); // SETTINGS
            out.write(h2Frame(1, 4, 1, headers.toByteArray())); // HEADERS, END_HEADERS, the body to come
            out.write(h2Frame(0, 0, 1, new byte[500]));
            out.flush();
            Thread.sleep(100);
            out.write(h2Frame(0, 1, 1, new byte[400])); // END_STREAM after 900 of 1000 bytes
            out.flush();
            Thread.sleep(300);
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (permitsInFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(permitsInFlight()).as("route permits still taken").isZero();
    }

    private int permitsInFlight() {
        return ((Number) gateway.status().get(0).get("permitsInFlight")).intValue();
    }

    /** An HTTP/2 frame: 24-bit length, type, flags, 31-bit stream id, payload (RFC 9113 §4.1). */
    private static byte[] h2Frame(int type, int flags, int stream, byte[] payload) {
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(9 + payload.length);
        frame.put((byte) (payload.length >>> 16))
                .put((byte) (payload.length >>> 8))
                .put((byte) payload.length);
        frame.put((byte) type).put((byte) flags).putInt(stream).put(payload);
        return frame.array();
    }

    @Test
    void aRequestLineWithAVersionTheListenerDoesNotSpeakIsA400ProblemNeverA5xx() throws Exception {
        for (String line : List.of(
                "GET /public/hello\r\n",
                "GET /public/hello HTTP/1.2\r\n",
                "GET /public/hello HTTP/3\r\n",
                "GET /public/hello HTTP/1.1x\r\n",
                "GET /public/hello HTTP/9.9\r\n")) {
            String response = exchange(demo.uri(), line + "Host: gw\r\nConnection: close\r\n\r\n");

            assertThat(response).as(line).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
            assertThat(JSON.readTree(body(response)).path("detail").asText())
                    .as(line)
                    .contains("HTTP version is not supported");
        }
    }

    @Test
    void aQueryWithCharactersAUriCannotHoldIsForwardedEncodedAndAMalformedEscapeIsA400() throws Exception {
        String odd =
                exchange(demo.uri(), "GET /public/a?x=\"1\"&y={}|^` HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        String malformed =
                exchange(demo.uri(), "GET /public/a?q=%zz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

        assertThat(odd).startsWith("HTTP/1.1 200 ");
        assertThat(JSON.readTree(body(odd)).path("query").path("x").asText()).isEqualTo("\"1\"");
        assertThat(malformed).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
    }

    @Test
    void connectIsRefusedAndTheAsteriskFormIsAnsweredByTheGatewayNeverA5xx() throws Exception {
        String connect =
                exchange(demo.uri(), "CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nConnection: close\r\n\r\n");
        String options = exchange(demo.uri(), "OPTIONS * HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        String get = exchange(demo.uri(), "GET * HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

        assertThat(connect).startsWith("HTTP/1.1 405 ").contains("Allow: ");
        assertThat(options).startsWith("HTTP/1.1 200 ").contains("Allow: ");
        assertThat(get).startsWith("HTTP/1.1 400 ");
    }

    @Test
    void anOversizedBearerTokenIsA401ProblemNeverA5xx() throws Exception {
        String response = exchange(
                demo.uri(),
                "GET /api/orders HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nAuthorization: Bearer "
                        + "a".repeat(10_000) + "\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 401 ").contains("application/problem+json");
    }

    @Test
    void aClientThatDripsItsRequestHeadIsCutOffAtTheHeaderTimeoutAndSlowHonestOnesAreServed() throws Exception {
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .requestHeaderTimeout(Duration.ofSeconds(1))
                .route(new GatewayRoute("/", List.of(demo.uri()), PolicyChain.empty(), Duration.ofSeconds(5)))
                .build()
                .start();

        try (Socket dripping = new Socket("127.0.0.1", gateway.uri().getPort())) {
            dripping.setSoTimeout(200);
            OutputStream out = dripping.getOutputStream();
            out.write("GET /public/a HTTP/1.1\r\nHost: gw\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            int read = 0;
            // A field every 200 ms: far inside the idle timeout, and the head never ends.
            while (read >= 0
                    && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                try {
                    out.write("X-Drip: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                    read = dripping.getInputStream().read();
                } catch (SocketTimeoutException stillOpen) {
                    continue;
                } catch (IOException reset) {
                    read = -1;
                }
            }
            Duration held = Duration.ofNanos(System.nanoTime() - start);

            assertThat(read)
                    .as("the gateway closed the connection without an answer")
                    .isEqualTo(-1);
            assertThat(held).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
        try (Socket slow = new Socket("127.0.0.1", gateway.uri().getPort())) {
            slow.setSoTimeout(10_000);
            OutputStream out = slow.getOutputStream();
            for (String part : List.of("GET /public/b HT", "TP/1.1\r\nHost: gw\r\n", "\r\n")) {
                out.write(part.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(300);
            }
            assertThat(readUntil(slow.getInputStream(), "\r\n\r\n"))
                    .as("a head in 0.9 s of 1")
                    .startsWith("HTTP/1.1 200 ");
            Thread.sleep(1500);
            out.write("GET /public/c HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(slow.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .as("1.5 s idle between requests is not a slow head")
                    .contains("HTTP/1.1 200 ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"no policy reads the body", "the idempotency fingerprint reads it"})
    void clientsSendingTheirBodiesSlowlyHoldNoThreads(String chain) throws Exception {
        PolicyChain policies = chain.startsWith("no")
                ? PolicyChain.empty()
                : PolicyChain.of(IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                        .build());
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(demo.uri()), policies, Duration.ofSeconds(30)))
                .build()
                .start();
        List<Socket> slow = new java.util.ArrayList<>();
        try {
            // More than the listener's 200 threads, each with a body that will not come.
            for (int i = 0; i < 250; i++) {
                Socket socket = new Socket("127.0.0.1", gateway.uri().getPort());
                socket.getOutputStream()
                        .write(("POST /public/upload HTTP/1.1\r\nHost: gw\r\nIdempotency-Key: \"k" + i
                                        + "\"\r\nContent-Length: 100\r\n\r\nx")
                                .getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            long start = System.nanoTime();
            String health = exchange(gateway.uri(), "GET /health HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

            assertThat(health).startsWith("HTTP/1.1 200 ");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aBodyWithoutContentTypeReachesTheUpstreamWithoutOne() throws Exception {
        String response = exchange(
                demo.uri(), "POST /public/a HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");

        assertThat(response).startsWith("HTTP/1.1 200 ");
        assertThat(JSON.readTree(body(response)).path("headers").has("content-type"))
                .isFalse();
    }

    @Test
    void aMalformedChunkedBodyNeverReachesTheUpstream() throws Exception {
        try (CountingBackend backend = new CountingBackend()) {
            gateway = plainGatewayTo(backend.uri());

            String response = exchange(
                    gateway.uri(),
                    "POST /upload HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5\r\nhello\r\nzz\r\nbad\r\n0\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400 ");
            Thread.sleep(200);
            assertThat(backend.bytesReceived())
                    .as("bytes the upstream received")
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "delete /orders/1",
                "Delete /orders/1",
                "trace /public/x",
                "connect /public/x",
                "head /public/x",
                "gET /public/x"
            })
    void aMethodThatIsNotUpperCaseIsA400ProblemAndNeverReachesTheUpstream(String line) throws Exception {
        // Jetty keeps such a method as sent and its client sends it upper case: routes, TRACE/CONNECT refusals and
        // required idempotency keys would judge one method and the upstream run another.
        try (CountingBackend backend = new CountingBackend()) {
            gateway = plainGatewayTo(backend.uri());

            String response = exchange(gateway.uri(), line + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");

            assertThat(response)
                    .startsWith("HTTP/1.1 400 ")
                    .contains("application/problem+json")
                    .contains("upper case");
            Thread.sleep(100);
            assertThat(backend.bytesReceived())
                    .as("bytes the upstream received")
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip, chunked", "deflate, chunked", "x-foo, chunked", "identity, chunked"})
    void aTransferCodingBesidesChunkedIsA400AndNeverReachesTheUpstream(String codings) throws Exception {
        try (CountingBackend backend = new CountingBackend()) {
            gateway = plainGatewayTo(backend.uri());

            String response = exchange(
                    gateway.uri(),
                    "POST /upload HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: " + codings
                            + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
            Thread.sleep(100);
            assertThat(backend.bytesReceived())
                    .as("bytes the upstream received")
                    .isZero();
        }
    }

    @Test
    void proxyCredentialsNeverReachTheUpstream() throws Exception {
        String response = exchange(
                demo.uri(),
                "GET /public/a HTTP/1.1\r\nHost: gw\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                        + "Connection: close\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 ");
        assertThat(JSON.readTree(body(response)).path("headers").has("proxy-authorization"))
                .isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"internal.example.com.", "INTERNAL.example.com.:80", "internal.example.com"})
    void aFullyQualifiedHostWithItsTrailingDotStillMatchesItsHostRoute(String host) throws Exception {
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute(
                                "/",
                                List.of(demo.uri()),
                                PolicyChain.of(exchange -> Decision.reject(401, "no")),
                                Duration.ofSeconds(5))
                        .withHost("internal.example.com"))
                .route(new GatewayRoute("/", List.of(demo.uri()), PolicyChain.empty(), Duration.ofSeconds(5)))
                .build()
                .start();

        String response =
                exchange(gateway.uri(), "GET /public/a HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 401 ");
    }

    @Test
    void transferEncodingInAnHttp10RequestIsA400AndNeverReachesTheUpstream() throws Exception {
        try (CountingBackend backend = new CountingBackend()) {
            gateway = plainGatewayTo(backend.uri());

            String response = exchange(
                    gateway.uri(),
                    "POST /upload HTTP/1.0\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
            Thread.sleep(200);
            assertThat(backend.bytesReceived())
                    .as("bytes the upstream received")
                    .isZero();
        }
    }

    @Test
    void aStreamedBodyThatTurnsOutMalformedAbortsTheUpstreamRequest() throws Exception {
        try (CountingBackend backend = new CountingBackend()) {
            gateway = Gateway.builder()
                    .listen("127.0.0.1", 0)
                    .route(new GatewayRoute("/", List.of(backend.uri()), PolicyChain.empty(), Duration.ofSeconds(5))
                            .withRequestBuffer(0))
                    .build()
                    .start();

            String response = exchange(
                    gateway.uri(),
                    "POST /upload HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5\r\nhello\r\nzz\r\nbad\r\n0\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400 ");
            assertThat(backend.awaitClosed(Duration.ofSeconds(5)))
                    .as("upstream connection closed")
                    .isTrue();
            assertThat(backend.received()).as("what the upstream received").doesNotContain("\r\n0\r\n\r\n");
        }
    }

    @Test
    void serverSentEventsFlowAtOnceAndUncompressed() throws Exception {
        try (EventBackend backend = new EventBackend()) {
            gateway = Gateway.builder()
                    .listen("127.0.0.1", 0)
                    .route(new GatewayRoute(
                            "/",
                            List.of(backend.uri()),
                            PolicyChain.of(
                                    CompressionPolicy.builder().minSize(0).build()),
                            Duration.ofSeconds(10)))
                    .build()
                    .start();

            try (Socket socket = new Socket("127.0.0.1", gateway.uri().getPort())) {
                socket.setSoTimeout(1500);
                socket.getOutputStream()
                        .write(
                                "GET /events HTTP/1.1\r\nHost: gw\r\nAccept: text/event-stream\r\nAccept-Encoding: gzip\r\n\r\n"
                                        .getBytes(StandardCharsets.US_ASCII));
                long started = System.nanoTime();
                String firstEvent = readUntil(socket.getInputStream(), "data: one");

                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
                assertThat(firstEvent).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("Content-Encoding");
            }
        }
    }

    private static String padding(int bytes) {
        StringBuilder headers = new StringBuilder();
        int i = 0;
        while (headers.length() < bytes) {
            headers.append("X-Pad-")
                    .append(i++)
                    .append(": ")
                    .append("p".repeat(1000))
                    .append("\r\n");
        }
        return headers.toString();
    }

    /** Sends {@code request} as it is and reads the whole answer (the request asks the server to close). */
    /** A gateway with one route to {@code upstream} and no policy. */
    private static Gateway plainGatewayTo(URI upstream) throws Exception {
        return Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(upstream), PolicyChain.empty(), Duration.ofSeconds(5)))
                .build()
                .start();
    }

    static String exchange(URI server, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before it has read everything: its answer still counts.
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(answer);
            } catch (IOException e) {
                // a reset after the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String body(String response) {
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        if (response.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
                if (size == 0) {
                    return joined.toString();
                }
                joined.append(body, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
        }
        return body;
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!seen.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                throw new AssertionError(
                        "no '" + marker + "' in time; got: " + seen.toString(StandardCharsets.ISO_8859_1));
            }
            if (n < 0) {
                break;
            }
            seen.write(buffer, 0, n);
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    /** A raw upstream that counts every byte any connection sends it and never answers. */
    static final class CountingBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final AtomicInteger bytes = new AtomicInteger();
        private final StringBuffer received = new StringBuffer();
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        CountingBackend() throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread reader = new Thread(() -> {
                            try (socket) {
                                byte[] buffer = new byte[8192];
                                for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
                                    bytes.addAndGet(n);
                                    received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                                }
                            } catch (IOException ignored) {
                                // the gateway went away
                            } finally {
                                closed.countDown();
                            }
                        });
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        int bytesReceived() {
            return bytes.get();
        }

        String received() {
            return received.toString();
        }

        /** Whether a connection the gateway opened has ended within {@code timeout}. */
        boolean awaitClosed(Duration timeout) throws InterruptedException {
            return closed.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A raw upstream that answers with an event stream: one event, a two-second pause, another, the end. */
    static final class EventBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());

        EventBackend() throws IOException {
            Thread thread = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    socket.getInputStream().read(new byte[8192]);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                                    + "Transfer-Encoding: chunked\r\n\r\n" + chunk("data: one\n\n"))
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(2000);
                    out.write((chunk("data: two\n\n") + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception ignored) {
                    // the test ended the conversation
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        private static String chunk(String data) {
            return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
