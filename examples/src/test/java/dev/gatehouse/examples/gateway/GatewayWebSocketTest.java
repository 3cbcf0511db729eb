package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.testing.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REQUIREMENTS.md §10: WebSockets through a gateway started from YAML, between the JDK's WebSocket client and a
 * real Jetty WebSocket server: frames both ways, the route's policies on the handshake, closes in both directions,
 * the idle and lifetime limits, and routes that do not relay WebSockets.
 */
class GatewayWebSocketTest {
    static final byte[] SECRET = "a-32-byte-secret-for-hs256-tests!".getBytes(StandardCharsets.US_ASCII);
    static final String APP = "https://app.example.com";
    static final String YAML = """
            listen: { port: 0 }
            auth:
              jwt:
                audiences: [chat]
                issuers:
                  - issuer: https://idp.test
                    keys:
                      - { kid: k1, alg: HS256, secret: %1$s }
            routes:
              - path: /chat
                upstreams: [%2$s]
                auth: required
                cors: { allowOrigins: [%3$s] }
                websocket: true
              - path: /open
                upstreams: [%2$s]
                websocket: { idleTimeout: 30s, maxLifetime: 1h }
              - path: /idle
                upstreams: [%2$s]
                timeout: 1s
                websocket: { idleTimeout: 1s }
              - path: /limited
                upstreams: [%2$s]
                rateLimit: { perMinute: 1 }
                websocket: true
              - path: /short
                upstreams: [%2$s]
                websocket: { maxLifetime: 500ms }
              - path: /refuse
                upstreams: [%2$s]
                websocket: true
              - path: /plain
                upstreams: [%2$s]
              - path: /internal
                upstreams: [%2$s]
                ipRules: { deny: [127.0.0.0/8] }
                websocket: true
              - path: /dead
                upstreams: [%4$s]
                websocket: true
              - path: /silent
                upstreams: [%5$s]
                timeout: 500ms
                websocket: true
              - path: /garbage
                upstreams: [%6$s]
                websocket: true
            """;

    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private WebSocketBackend backend;
    /** Accepts connections and never answers: an upstream too slow for the handshake. */
    private ServerSocket silent;
    /** Answers every connection with bytes that are not HTTP. */
    private ServerSocket garbage;

    private GatewayMain.Running running;
    private URI ws;

    @BeforeEach
    void start() throws Exception {
        backend = new WebSocketBackend();
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        garbage = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread answering = new Thread(() -> {
            while (!garbage.isClosed()) {
                try (Socket socket = garbage.accept()) {
                    socket.getInputStream().read(new byte[8192]);
                    socket.getOutputStream().write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed by the test
                }
            }
        });
        answering.setDaemon(true);
        answering.start();
        URI dead;
        try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + closed.getLocalPort());
        }
        String yaml = YAML.formatted(
                Base64.getEncoder().encodeToString(SECRET),
                backend.uri(),
                APP,
                dead,
                "http://127.0.0.1:" + silent.getLocalPort(),
                "http://127.0.0.1:" + garbage.getLocalPort());
        running = GatewayMain.start(Files.writeString(dir.resolve("gateway.yaml"), yaml));
        ws = URI.create("ws://127.0.0.1:" + running.gateway.uri().getPort());
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
        backend.close();
        silent.close();
        garbage.close();
    }

    static String token() {
        long now = System.currentTimeMillis() / 1000;
        return Tokens.hmac(
                "HS256",
                SECRET,
                "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                "{\"iss\":\"https://idp.test\",\"aud\":\"chat\",\"sub\":\"alice\",\"exp\":" + (now + 300) + "}");
    }

    /** What a client's listener saw: messages in order and the close. */
    static final class Seen implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            messages.add(bytes);
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closeCode.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            return messages.poll(5, TimeUnit.SECONDS);
        }
    }

    private WebSocket open(String path, Seen seen) throws Exception {
        return CLIENT.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(ws.resolve(path), seen)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void textAndBinaryMessagesGoBothWaysWithTheRoutesPoliciesOnTheHandshake() throws Exception {
        Seen seen = new Seen();
        WebSocket socket = CLIENT.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token())
                .header("Origin", APP)
                .header("X-Request-Id", "ws-req-1")
                .subprotocols("chat.v2", "chat.v1")
                .buildAsync(ws.resolve("/chat/room/7"), seen)
                .get(10, TimeUnit.SECONDS);

        socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(seen.next()).isEqualTo("echo:hello");
        socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), true).get(5, TimeUnit.SECONDS);
        assertThat((byte[]) seen.next()).containsExactly(4, 3, 2, 1);
        socket.sendText("again", true).get(5, TimeUnit.SECONDS);
        assertThat(seen.next()).isEqualTo("echo:again");

        assertThat(socket.getSubprotocol()).isEqualTo("chat.v2");
        HttpFields handshake = backend.handshakes.poll(5, TimeUnit.SECONDS);
        assertThat(handshake.get("X-Request-Id")).isEqualTo("ws-req-1");
        assertThat(handshake.get("X-User-Id")).isEqualTo("alice");
        assertThat(handshake.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(handshake.get("Origin")).isEqualTo(APP);
        assertThat(handshake.get("Sec-WebSocket-Extensions")).isNull();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        assertThat(seen.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void aHandshakeWithoutTokenIs401ProblemAndNeverReachesTheUpstream() throws Exception {
        String response = raw("/chat/room/7", "Origin: " + APP + "\r\n");

        assertThat(response).startsWith("HTTP/1.1 401 ");
        assertThat(response).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(response).containsIgnoringCase("WWW-Authenticate: Bearer");
        assertThat(response).doesNotContainIgnoringCase("Sec-WebSocket-Accept");
        assertThat(backend.handshakes).isEmpty();
    }

    @Test
    void aHandshakeFromAnOriginTheRoutesCorsDoesNotAllowIs403() throws Exception {
        String response =
                raw("/chat/room/7", "Origin: https://evil.example\r\nAuthorization: Bearer " + token() + "\r\n");

        assertThat(response).startsWith("HTTP/1.1 403 ");
        assertThat(response).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(response).contains("The WebSocket origin was refused.");
        assertThat(backend.handshakes).isEmpty();
    }

    @Test
    void aHandshakeFromADeniedAddressIs403AndNeverReachesTheUpstream() throws Exception {
        String response = raw("/internal/x", "");

        assertThat(response).startsWith("HTTP/1.1 403 ");
        assertThat(response).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(response).doesNotContainIgnoringCase("Sec-WebSocket-Accept");
        assertThat(backend.handshakes).isEmpty();
    }

    @Test
    void theClientsSwitchingProtocolsCarriesTheUpstreamsEndToEndFields() throws Exception {
        String head = raw("/open/x", "Sec-WebSocket-Extensions: permessage-deflate\r\n");

        assertThat(head).startsWith("HTTP/1.1 101 ");
        assertThat(head).containsIgnoringCase("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(head).containsIgnoringCase("Set-Cookie: room=7; HttpOnly");
        assertThat(head).doesNotContainIgnoringCase("Server:");
        assertThat(head).doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
    }

    @Test
    void aHandshakeOverTheRoutesRateLimitIs429() throws Exception {
        Seen seen = new Seen();
        open("/limited/x", seen);

        String second = raw("/limited/x", "");

        assertThat(second).startsWith("HTTP/1.1 429 ");
        assertThat(second).containsIgnoringCase("Retry-After:");
        assertThat(second).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(backend.handshakes).hasSize(1);
    }

    @Test
    void aMalformedHandshakeIs400AndNeverReachesTheUpstream() throws Exception {
        String noKey = rawRequest("GET /open/x HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n");
        String oldVersion =
                rawRequest("GET /open/x HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        String post = rawRequest("POST /open/x HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Content-Length: 0\r\n\r\n");

        assertThat(noKey).startsWith("HTTP/1.1 400 ").contains("Sec-WebSocket-Key missing");
        assertThat(oldVersion).startsWith("HTTP/1.1 400 ").contains("Sec-WebSocket-Version 8");
        assertThat(post).startsWith("HTTP/1.1 400 ").contains("method POST");
        assertThat(backend.handshakes).isEmpty();
    }

    @Test
    void anUpstreamThatRefusesTheUpgradeGivesTheClientItsOwnStatus() throws Exception {
        assertThatThrownBy(() -> open("/refuse/x", new Seen()))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        WebSocketHandshakeException.class,
                        refused ->
                                assertThat(refused.getResponse().statusCode()).isEqualTo(403));
        assertThat(backend.handshakes).hasSize(1);
    }

    @Test
    void anUnreachableUpstreamIs502AndASilentOneIs504WithinTheRoutesTimeout() throws Exception {
        String unreachable = raw("/dead/x", "");
        long started = System.nanoTime();
        String silentAnswer = raw("/silent/x", "");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(unreachable).startsWith("HTTP/1.1 502 ");
        assertThat(unreachable).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(silentAnswer).startsWith("HTTP/1.1 504 ");
        assertThat(silentAnswer).contains("did not answer the WebSocket handshake in time");
        assertThat(tookMillis).isBetween(400L, 2900L);
    }

    @Test
    void aThousandSubprotocolsAre400AndNeverCostTheUpstreamItsPlace() throws Exception {
        String many = "Sec-WebSocket-Protocol: " + String.join(",", java.util.Collections.nCopies(1000, "a")) + "\r\n";
        for (int i = 0; i < 6; i++) {
            assertThat(raw("/open/x", many)).startsWith("HTTP/1.1 400 ").contains("subprotocols");
        }
        assertThat(raw("/open/x", "Sec-WebSocket-Protocol: chat, x y\r\n")).startsWith("HTTP/1.1 400 ");

        assertThat(raw("/open/x", "Sec-WebSocket-Protocol: chat\r\n"))
                .as("the route's upstream is still in")
                .startsWith("HTTP/1.1 101 ");
    }

    @Test
    void anUpstreamThatAnswersTheHandshakeWithGarbageIs502NotItsOwnStatus() throws Exception {
        String answer = raw("/garbage/x", "");

        assertThat(answer).startsWith("HTTP/1.1 502 ");
        assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
    }

    @Test
    void aClientCloseReachesTheUpstreamWithItsStatus() throws Exception {
        Seen seen = new Seen();
        WebSocket socket = open("/open/x", seen);
        socket.sendText("hi", true).get(5, TimeUnit.SECONDS);
        assertThat(seen.next()).isEqualTo("echo:hi");

        socket.sendClose(4001, "client leaves").get(5, TimeUnit.SECONDS);

        CloseStatus atUpstream = backend.closesReceived.poll(5, TimeUnit.SECONDS);
        assertThat(atUpstream.getCode()).isEqualTo(4001);
        assertThat(atUpstream.getReason()).isEqualTo("client leaves");
        assertThat(seen.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(4001);
        assertThat(backend.closed.poll(5, TimeUnit.SECONDS).getCode()).isEqualTo(4001);
    }

    @Test
    void anUpstreamCloseReachesTheClientWithItsStatus() throws Exception {
        Seen seen = new Seen();
        WebSocket socket = open("/open/x", seen);

        socket.sendText("close", true).get(5, TimeUnit.SECONDS);

        assertThat(seen.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(4000);
        assertThat(backend.closed.poll(5, TimeUnit.SECONDS).getCode()).isEqualTo(4000);
    }

    @Test
    void anIdleConnectionIsClosedOnBothSidesWith1001() throws Exception {
        Seen seen = new Seen();
        open("/idle/x", seen);

        assertThat(seen.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
        assertThat(backend.closed.poll(5, TimeUnit.SECONDS).getCode()).isEqualTo(1001);
    }

    @Test
    void trafficKeepsAConnectionFromGoingIdle() throws Exception {
        Seen seen = new Seen();
        WebSocket socket = open("/idle/x", seen);

        socket.sendText("warm", true).get(5, TimeUnit.SECONDS);
        assertThat(seen.next()).isEqualTo("echo:warm");

        // 8 round trips 300 ms apart: well past the 1 s idle timeout (and the route's 1 s upstream timeout, which
        // bounds the handshake only) in all, never 1 s without a frame.
        for (int i = 0; i < 8; i++) {
            Thread.sleep(300);
            socket.sendText("tick " + i, true).get(5, TimeUnit.SECONDS);
            assertThat(seen.next()).isEqualTo("echo:tick " + i);
        }
        assertThat(seen.closeCode).isNotDone();
    }

    @Test
    void aConnectionPastItsLifetimeIsClosedOnBothSidesWith1008() throws Exception {
        Seen seen = new Seen();
        WebSocket socket = open("/short/x", seen);
        socket.sendText("hi", true).get(5, TimeUnit.SECONDS);
        assertThat(seen.next()).isEqualTo("echo:hi");

        assertThat(seen.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(backend.closesReceived.poll(5, TimeUnit.SECONDS).getCode()).isEqualTo(1008);
    }

    @Test
    void aRouteWithoutWebSocketDoesNotUpgradeAndTheUpstreamSeesNoUpgrade() throws Exception {
        String response = raw("/plain/x", "");

        assertThat(response).doesNotStartWith("HTTP/1.1 101");
        assertThat(response).startsWith("HTTP/1.1 404 ");
        assertThat(backend.handshakes).isEmpty();
        assertThatThrownBy(() -> open("/plain/x", new Seen()))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
    }

    @Test
    void stoppingTheGatewayClosesOpenWebSocketsWith1001() throws Exception {
        Seen seen = new Seen();
        WebSocket socket = open("/open/x", seen);
        socket.sendText("hi", true).get(5, TimeUnit.SECONDS);
        assertThat(seen.next()).isEqualTo("echo:hi");

        running.gateway.stop();

        assertThat(seen.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
        assertThat(backend.closesReceived.poll(5, TimeUnit.SECONDS).getCode()).isEqualTo(1001);
    }

    /** A WebSocket handshake on a raw socket, with {@code extra} fields; the whole response as text. */
    private String raw(String path, String extra) throws Exception {
        return rawRequest("GET " + path + " HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n");
    }

    private String rawRequest(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", ws.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder response = new StringBuilder();
            byte[] buffer = new byte[4096];
            // Reads the head and whatever body follows: a problem is small, and the gateway closes or stays quiet.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < deadline) {
                int read;
                try {
                    read = in.read(buffer);
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
                if (read < 0) {
                    break;
                }
                response.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                if (complete(response)) {
                    break;
                }
            }
            return response.toString();
        }
    }

    /** Whether {@code response} holds a head and the body its Content-Length states. */
    private static boolean complete(StringBuilder response) {
        int end = response.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = response.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int at = head.indexOf("content-length:");
        if (at < 0) {
            return head.startsWith("http/1.1 101");
        }
        int eol = head.indexOf("\r\n", at);
        long length = Long.parseLong(
                head.substring(at + 15, eol < 0 ? head.length() : eol).trim());
        return response.length() - end - 4 >= length;
    }

    static JsonNode problem(String response) throws Exception {
        return GatewayYamlPoliciesTest.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
}
