package dev.gatehouse.examples.gateway;

import static dev.gatehouse.examples.gateway.GatewayConfigTest.CLIENT;
import static dev.gatehouse.examples.gateway.GatewayConfigTest.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.testing.Tokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the admin console reads, from a gateway started from YAML: refusals, traffic, reloads and the admin keys. */
class GatewayAdminConsoleTest {
    private static final String ADMIN_TOKEN = "admin-console-test-token-77";
    private static final String KEY = "gh_admin_console_0123456789";
    private static final byte[] SECRET = "a-32-byte-secret-for-hs256-test!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_SECRET = "another-32-byte-secret-for-hs256".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private String config(String admin) {
        return """
                listen: { port: 0 }
                admin: %s
                auth:
                  jwt:
                    audiences: [orders]
                    issuers:
                      - issuer: https://idp.example/
                        keys: [{ kid: k1, alg: HS256, secret: %s }]
                  apiKeys:
                    - { sha256: %s, owner: tester, plan: free }
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                    auth: required
                  - path: /public
                    upstreams: [builtin:echo]
                """.formatted(admin, Base64.getEncoder().encodeToString(SECRET), ApiKeyAuthenticator.digestOf(KEY));
    }

    /**
     * The status page's routes once they have counted {@code requests} in all: an exchange is counted when it
     * completes, which can be just after its client has read the whole response.
     */
    private static JsonNode settledRoutes(URI admin, long requests) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (true) {
            JsonNode routes = status(admin).path("routes");
            long counted = 0;
            for (JsonNode route : routes) {
                counted += route.path("traffic").path("requests").asLong();
            }
            if (counted >= requests || System.nanoTime() > deadline) {
                return routes;
            }
            Thread.sleep(10);
        }
    }

    private static JsonNode status(URI admin) throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(admin.resolve("/admin/status"))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static int send(URI uri, String header, String value) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (header != null) {
            request.header(header, value);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void refusalsShowThePolicyAndTheReasonButNeverTheTokenKeyOrHeaderValues() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("{ port: 0, token: " + ADMIN_TOKEN + " }"));
        long now = Instant.now().getEpochSecond();
        String forged = Tokens.hmac(
                "HS256",
                OTHER_SECRET,
                "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                "{\"iss\":\"https://idp.example/\",\"aud\":\"orders\",\"sub\":\"mallory\",\"exp\":" + (now + 600)
                        + "}");
        String wrongKey = "gh_wrong_key_but_secret_value_9";
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI gateway = running.gateway.uri();

            assertThat(send(gateway.resolve("/api/orders?token=" + forged), "Authorization", "Bearer " + forged))
                    .isEqualTo(401);
            assertThat(send(gateway.resolve("/api/orders"), "X-Api-Key", wrongKey))
                    .isEqualTo(401);
            JsonNode refusals = status(running.admin.uri()).path("refusals");

            assertThat(refusals.path("total").asLong()).isEqualTo(2);
            JsonNode newest = refusals.path("recent").get(0);
            JsonNode first = refusals.path("recent").get(1);
            assertThat(first.path("route").asText()).isEqualTo("/api");
            assertThat(first.path("method").asText()).isEqualTo("GET");
            assertThat(first.path("path").asText()).as("no query").isEqualTo("/api/orders");
            assertThat(first.path("status").asInt()).isEqualTo(401);
            assertThat(first.path("policy").asText()).isEqualTo("auth");
            assertThat(first.path("reason").asText()).containsIgnoringCase("signature");
            assertThat(newest.path("reason").asText()).containsIgnoringCase("unknown API key");
            String everything = refusals.toString();
            for (String secret : new String[] {forged, forged.substring(forged.lastIndexOf('.') + 1), wrongKey}) {
                assertThat(everything).doesNotContain(secret);
            }
        }
    }

    @Test
    void eachRouteCountsItsRequestsByStatusClassWithLatency() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("{ port: 0, token: " + ADMIN_TOKEN + " }"));
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI gateway = running.gateway.uri();
            for (int i = 0; i < 3; i++) {
                assertThat(send(gateway.resolve("/public/" + i), null, null)).isEqualTo(200);
            }
            assertThat(send(gateway.resolve("/api/x"), "X-Api-Key", KEY)).isEqualTo(200);
            assertThat(send(gateway.resolve("/api/x"), null, null)).isEqualTo(401);

            JsonNode routes = settledRoutes(running.admin.uri(), 5);

            JsonNode publicRoute = routes.get(0);
            assertThat(publicRoute.path("route").asText()).isEqualTo("/public");
            assertThat(publicRoute.path("traffic").path("requests").asLong()).isEqualTo(3);
            assertThat(publicRoute.path("traffic").path("statuses").toString()).isEqualTo("{\"2xx\":3}");
            assertThat(publicRoute.path("traffic").path("p50Ms").asDouble()).isPositive();
            assertThat(publicRoute.path("traffic").path("p99Ms").asDouble())
                    .isGreaterThanOrEqualTo(
                            publicRoute.path("traffic").path("p50Ms").asDouble());
            JsonNode api = routes.get(1);
            assertThat(api.path("route").asText()).isEqualTo("/api");
            assertThat(api.path("traffic").path("statuses").toString()).isEqualTo("{\"2xx\":1,\"4xx\":1}");
            assertThat(api.path("policies").toString()).contains("\"auth\"");
        }
    }

    @Test
    void theConsoleShowsTheFileTheLastReloadAndTheLastReloadError() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        String good = config("{ port: 0 }");
        Files.writeString(file, good);
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI admin = running.admin.uri();
            JsonNode before = JSON.readTree(CLIENT.send(
                            HttpRequest.newBuilder(admin.resolve("/admin/status"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertThat(before.path("config").path("file").asText()).isEqualTo(file.toString());
            assertThat(before.path("config").path("lastReload").isNull()).isTrue();
            assertThat(before.path("config").path("lastReloadError").isNull()).isTrue();

            Files.writeString(file, good + "nonsense: 1\n");
            JsonNode failed = awaitConfig(admin, "lastReloadError");
            assertThat(failed.path("lastReloadError").asText())
                    .contains(file + " line")
                    .contains("unknown key");
            assertThat(failed.path("lastReload").isNull()).isTrue();

            Files.writeString(file, good + "\n# touched\n");
            JsonNode reloaded = awaitConfig(admin, "lastReload");
            assertThat(Instant.parse(reloaded.path("lastReload").asText()))
                    .isAfterOrEqualTo(
                            Instant.parse(reloaded.path("lastReloadErrorAt").asText()));
        }
    }

    private static JsonNode awaitConfig(URI admin, String field) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode config;
        do {
            Thread.sleep(200);
            config = JSON.readTree(CLIENT.send(
                                    HttpRequest.newBuilder(admin.resolve("/admin/status"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .path("config");
        } while (config.path(field).isNull() && System.nanoTime() < deadline);
        assertThat(config.path(field).isNull())
                .as("%s after the file changed", field)
                .isFalse();
        return config;
    }

    @Test
    void aTokenFileGivesTheTokenAndBadAdminValuesNameTheirLine() throws Exception {
        Path tokenFile = dir.resolve("admin-token");
        Files.writeString(tokenFile, ADMIN_TOKEN + "\n");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("{ host: 127.0.0.1, port: 0, tokenFile: " + tokenFile + " }"));
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            assertThat(status(running.admin.uri()).path("routes")).hasSize(2);
            assertThat(send(running.admin.uri().resolve("/metrics"), null, null))
                    .isEqualTo(401);
        }

        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", config("{ host: 0.0.0.0 }")))
                .hasMessageStartingWith("gateway.yaml line 2, column")
                .hasMessageContaining("admin: host 0.0.0.0 is not loopback and there is no token (expected: host "
                        + "127.0.0.1, or token or tokenFile)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", config("{ token: short }")))
                .hasMessageStartingWith("gateway.yaml line 2")
                .hasMessageContaining("token of 5 characters (expected: at least 16)")
                .hasMessageNotContaining("short ");
        assertThatThrownBy(() -> GatewayConfigLoader.parse(
                        "gateway.yaml", config("{ token: " + ADMIN_TOKEN + ", tokenFile: " + tokenFile + " }")))
                .hasMessageStartingWith("gateway.yaml line 2")
                .hasMessageContaining("token and tokenFile both set (expected: one of them)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse(
                        "gateway.yaml", config("{ host: 10.1.2.3, tokenFile: " + dir.resolve("missing") + " }")))
                .hasMessageStartingWith("gateway.yaml line 2")
                .hasMessageContaining("tokenFile " + dir.resolve("missing") + " cannot be read");
    }
}
