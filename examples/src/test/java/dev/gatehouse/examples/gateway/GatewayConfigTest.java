package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.testing.RedisSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "gh_test_0123456789abcdef0123";

    @TempDir
    Path dir;

    static String config(String routes) {
        return """
                listen:
                  port: 0
                auth:
                  apiKeys:
                    - sha256: %s
                      owner: tester
                      plan: free
                      scopes: [orders:read]
                routes:
                %s
                """.formatted(ApiKeyAuthenticator.digestOf(KEY), routes.indent(2).stripTrailing());
    }

    static int status(URI base, String path, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5));
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void theExampleFileLoads() throws Exception {
        GatewayConfig config = GatewayConfigLoader.load(Path.of("gateway.example.yaml"));

        assertThat(config.routes()).hasSize(4);
        assertThat(config.routes().get(3).webhook().scheme()).isEqualTo("standard-webhooks");
        assertThat(config.aggregations()).hasSize(1);
        assertThat(config.routes().get(1).rateLimit().plans()).containsKey("premium");
        assertThat(config.routes().get(1).activeHealth().toSettings()).isEqualTo(GatewayRoute.ActiveHealth.DEFAULT);
        assertThat(config.routes().get(1).websocket().toSettings()).isNull();
    }

    @Test
    void anUnknownKeyNamesItsLineAndTheKeysExpected() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstream: http://127.0.0.1:9000
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageStartingWith("gateway.yaml line 3, column")
                .hasMessageContaining("routes[0].upstream: unknown key upstream (expected: ")
                .hasMessageContaining("upstreams");
    }

    @Test
    void aBadValueNamesItsLineAndWhy() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            timeout: soon
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("duration soon (expected: e.g. 500ms, 10s, 2m, 1h)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [ftp://files]
                        """))
                .hasMessageContaining("upstream ftp://files (expected: http://…, https://… or builtin:echo)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://orders_v2:8080]
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("upstream http://orders_v2:8080 has no host the URL syntax accepts");
        for (String[] bad : new String[][] {
            {"http://orders:8080/base?x=1", "has a query or fragment"},
            {"http://orders:8080/base#part", "has a query or fragment"},
            {"http://user:s3cret@orders:8080", "has credentials"},
        }) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                            routes:
                              - path: /api
                                upstreams: ["%s"]
                            """.formatted(bad[0])))
                    .as(bad[0])
                    .hasMessageContaining("gateway.yaml line")
                    .hasMessageContaining(bad[1])
                    .hasMessageNotContaining("s3cret");
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://orders:80800, "http://orders v2"]
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("upstream http://orders:80800: port 80800 (expected: 1 to 65535)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: ["http://orders v2"]
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("upstream http://orders v2 is not a URL: Illegal character in authority");
    }

    @Test
    void aFileStartsAGatewayAndAChangedFileIsSwappedInWhileABadOneIsIgnored() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("""
                - path: /api
                  upstreams: [builtin:echo]
                  auth: required
                  scopes: [orders:read]
                """));
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI base = running.gateway.uri();
            assertThat(status(base, "/api/orders", null)).isEqualTo(401);
            assertThat(status(base, "/api/orders", KEY)).isEqualTo(200);
            assertThat(status(base, "/open/x", null)).isEqualTo(404);

            Files.writeString(file, config("""
                    - path: /api
                      upstreams: [builtin:echo]
                      auth: required
                    - path: /open
                      upstreams: [builtin:echo]
                    """));
            awaitStatus(base, "/open/x", 200);
            assertThat(status(base, "/api/orders", KEY)).isEqualTo(200);

            Files.writeString(file, config("""
                    - path: /open
                      upstreams: [builtin:echo]
                      timeout: later
                    """));
            Thread.sleep(2500);
            assertThat(status(base, "/open/x", null))
                    .as("the bad file is ignored")
                    .isEqualTo(200);
            assertThat(status(base, "/api/orders", null)).isEqualTo(401);
        }
    }

    @Test
    void aFileConfiguresMatchesLimitsAggregationsAndTheAdminPort() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listen:
                  port: 0
                admin:
                  port: 0
                auth:
                  apiKeys:
                    - sha256: %s
                      owner: tester
                      plan: free
                      scopes: [orders:read]
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                    maxBodySize: 1KiB
                    retries: 1
                    passiveHealth: { failures: 3, ejectFor: 10s }
                    circuitBreaker: { failureRate: 50, window: 10, openFor: 5s }
                  - path: /api
                    headers: { X-Tenant: blocked }
                    upstreams: [builtin:echo]
                    auth: required
                aggregations:
                  - path: /overview
                    auth: required
                    timeout: 1s
                    parts:
                      users: builtin:users
                      echo: builtin:echo/anything?size=10
                """.formatted(ApiKeyAuthenticator.digestOf(KEY)));
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI base = running.gateway.uri();
            assertThat(status(base, "/api/x", null)).isEqualTo(200);
            HttpResponse<String> tenant = CLIENT.send(
                    HttpRequest.newBuilder(base.resolve("/api/x"))
                            .header("X-Tenant", "blocked")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tenant.statusCode())
                    .as("the header route needs a credential")
                    .isEqualTo(401);
            HttpResponse<String> big = CLIENT.send(
                    HttpRequest.newBuilder(base.resolve("/api/x"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2000]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(big.statusCode()).isEqualTo(413);

            assertThat(status(base, "/overview", null)).isEqualTo(401);
            HttpResponse<String> overview = CLIENT.send(
                    HttpRequest.newBuilder(base.resolve("/overview"))
                            .header("X-Api-Key", KEY)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(overview.body()).path("users").path("id").asText())
                    .as("the verified identity reaches the parts")
                    .isEqualTo("tester");
            assertThat(JSON.readTree(overview.body()).path("echo").path("path").asText())
                    .isEqualTo("/anything");

            URI admin = running.admin.uri();
            String metrics = CLIENT.send(
                            HttpRequest.newBuilder(admin.resolve("/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .contains("gatehouse_policy_decisions_total{outcome=\"reject\",policy=\"auth\"}")
                    .contains("gatehouse_exchanges_seconds_count")
                    .contains("gatehouse_gateway_circuit_open{route=\"/api\"} 0.0");
            JsonNode status = JSON.readTree(CLIENT.send(
                            HttpRequest.newBuilder(admin.resolve("/admin/status"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertThat(status.path("routes")).hasSize(2);
            assertThat(status.path("routes").get(0).path("route").asText()).isEqualTo("/api x-tenant=blocked");
            assertThat(status.path("routes")
                            .get(1)
                            .path("circuitBreaker")
                            .path("state")
                            .asText())
                    .isEqualTo("closed");
            assertThat(status.path("stores").path("ratelimit").path("kind").asText())
                    .isEqualTo("local");
        }
    }

    @Test
    void reloadsReuseOneSetOfRedisConnections() throws Exception {
        String redis = RedisSupport.requireRedis();
        Path file = dir.resolve("gateway.yaml");
        String routes = """
                redis: %s
                cache: { store: redis }
                listen:
                  port: 0
                routes:
                  - path: /limited
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 1000 }
                    idempotency: true
                    cache: true
                """.formatted(redis);
        Files.writeString(file, routes);
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI base = running.gateway.uri();
            assertThat(status(base, "/limited/x", null)).isEqualTo(200);
            long clients = redisClients(redis);
            for (int i = 1; i <= 3; i++) {
                Files.writeString(file, routes + "  - path: /open" + i + "\n    upstreams: [builtin:echo]\n");
                awaitStatus(base, "/open" + i + "/x", 200);
                assertThat(status(base, "/limited/x", null)).isEqualTo(200);
            }
            assertThat(redisClients(redis)).isEqualTo(clients);
        }
    }

    @Test
    void storesNoConfigurationUsesAreClosedAndAFailedReloadOpensNothingThatStays() throws Exception {
        String redis = RedisSupport.requireRedis();
        Path file = dir.resolve("gateway.yaml");
        String routes = """
                redis: %s
                rateLimitStore: { store: redis, keyPrefix: "gh-retire-%s:" }
                listen:
                  port: 0
                routes:
                  - path: /limited
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 1000 }
                """;
        Files.writeString(file, routes.formatted(redis, 0));
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            running.factory.retireAfter(Duration.ofMillis(100));
            URI base = running.gateway.uri();
            assertThat(status(base, "/limited/x", null)).isEqualTo(200);
            long clients = redisClients(redis);
            for (int i = 1; i <= 3; i++) {
                Files.writeString(
                        file, routes.formatted(redis, i) + "  - path: /open" + i + "\n    upstreams: [builtin:echo]\n");
                awaitStatus(base, "/open" + i + "/x", 200);
            }
            // A reload that fails after its stores were opened: kept running, and what it opened is closed.
            Files.writeString(
                    file, routes.formatted(redis, 9) + "  - { path: /x, upstreams: [builtin:echo], auth: required }\n");
            Thread.sleep(1_500); // the reload is noticed, fails, and the retired stores close

            assertThat(status(base, "/open3/x", null)).isEqualTo(200);
            assertThat(redisClients(redis)).as("Redis connections").isEqualTo(clients);
        }
    }

    @Test
    void aReloadKeepsTheInMemoryRateLimitsAndIdempotencyRecords() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        String routes = """
                listen:
                  port: 0
                routes:
                  - path: /limited
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 2 }
                  - path: /pay
                    upstreams: [builtin:echo]
                    idempotency: true
                """;
        Files.writeString(file, routes);
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI base = running.gateway.uri();
            HttpResponse<String> paid = pay(base);
            assertThat(status(base, "/limited/x", null)).isEqualTo(200);
            assertThat(status(base, "/limited/x", null)).isEqualTo(200);

            Files.writeString(file, routes + "  - path: /open\n    upstreams: [builtin:echo]\n");
            awaitStatus(base, "/open/x", 200);

            assertThat(status(base, "/limited/x", null))
                    .as("the third request of the minute")
                    .isEqualTo(429);
            HttpResponse<String> retried = pay(base);
            assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(retried.body()).isEqualTo(paid.body());
        }
    }

    private static HttpResponse<String> pay(URI base) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/pay/orders"))
                                .header("Idempotency-Key", "\"order-7\"")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":42}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** How many clients the Redis server has connected, from {@code INFO clients}. */
    static long redisClients(String url) throws Exception {
        URI uri = URI.create(url);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())) {
            socket.getOutputStream().write("INFO clients\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("connected_clients:")) {
                    // this connection counts too
                    return Long.parseLong(line.substring("connected_clients:".length())
                                    .trim())
                            - 1;
                }
            }
        }
        throw new AssertionError("no connected_clients in INFO clients");
    }

    @Test
    void badResilienceValuesNameTheirLine() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            maxBodySize: lots
                        """))
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("size lots (expected: e.g. 1000, 512KiB, 10MiB)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            circuitBreaker: { failureRate: 150, window: 10, openFor: 5s }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("failureRate: 150 (expected: 1..100)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        aggregations:
                          - path: /all
                            parts: { a: ftp://x }
                        """))
                .hasMessageContaining("part ftp://x (expected:");
    }

    @Test
    void webSocketAndActiveHealthTakeTheirDefaultsAndTheirValues() throws Exception {
        GatewayConfig config = GatewayConfigLoader.parse("gateway.yaml", """
                routes:
                  - path: /a
                    upstreams: [http://127.0.0.1:9000]
                    websocket: true
                    activeHealth: {}
                  - path: /b
                    upstreams: [http://127.0.0.1:9000]
                    websocket: { idleTimeout: 30s, maxLifetime: 2h }
                    activeHealth:
                      { path: /ready, interval: 5s, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 4 }
                  - path: /c
                    upstreams: [http://127.0.0.1:9000]
                    websocket: false
                """);

        assertThat(config.routes().get(0).websocket().toSettings()).isEqualTo(GatewayRoute.WebSocket.DEFAULT);
        assertThat(config.routes().get(0).activeHealth().toSettings()).isEqualTo(GatewayRoute.ActiveHealth.DEFAULT);
        assertThat(config.routes().get(1).websocket().toSettings())
                .isEqualTo(new GatewayRoute.WebSocket(Duration.ofSeconds(30), Duration.ofHours(2)));
        assertThat(config.routes().get(1).activeHealth().toSettings())
                .isEqualTo(new GatewayRoute.ActiveHealth("/ready", Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 4));
        assertThat(config.routes().get(2).websocket().toSettings()).isNull();
        assertThat(config.routes().get(2).activeHealth()).isNull();
    }

    @Test
    void badWebSocketAndActiveHealthValuesNameTheirLine() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            websocket: { idleTimeout: 0s }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("idleTimeout: PT0S (expected: a positive duration)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            websocket: { maxLifetime: forever }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("duration forever (expected:");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            websocket: { idle: 5s }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("unknown key idle (expected: enabled, idleTimeout, maxLifetime)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            activeHealth: { path: health }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("path: health (expected: a path starting with /");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            activeHealth:
                              interval: 10s
                              healthyThreshold: 0
                        """))
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("routes[0].activeHealth: healthyThreshold: 0 (expected: 1 or more)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            activeHealth: { timeout: -2s }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("-2s");
    }

    static void awaitStatus(URI base, String path, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = status(base, path, null);
            if (last == expected) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(last).as("status of %s after the reload", path).isEqualTo(expected);
    }
}
