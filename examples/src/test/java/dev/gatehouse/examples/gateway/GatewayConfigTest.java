package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.auth.ApiKeyPolicy;
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
                """.formatted(ApiKeyPolicy.digestOf(KEY), routes.indent(2).stripTrailing());
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
        GatewayConfig config = GatewayConfig.load(Path.of("gateway.example.yaml"));

        assertThat(config.routes()).hasSize(2);
        assertThat(config.routes().get(1).rateLimit().plans()).containsKey("premium");
    }

    @Test
    void anUnknownKeyNamesItsLineAndTheKeysExpected() {
        assertThatThrownBy(() -> GatewayConfig.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstream: http://127.0.0.1:9000
                        """))
                .isInstanceOf(GatewayConfig.ConfigException.class)
                .hasMessageStartingWith("gateway.yaml line 3, column")
                .hasMessageContaining("routes[0].upstream: unknown key upstream (expected: ")
                .hasMessageContaining("upstreams");
    }

    @Test
    void aBadValueNamesItsLineAndWhy() {
        assertThatThrownBy(() -> GatewayConfig.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            timeout: soon
                        """))
                .isInstanceOf(GatewayConfig.ConfigException.class)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("duration soon (expected: e.g. 500ms, 10s, 2m, 1h)");
        assertThatThrownBy(() -> GatewayConfig.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [ftp://files]
                        """))
                .hasMessageContaining("upstream ftp://files (expected: http://…, https://… or builtin:echo)");
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
