package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.testing.PostgresSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency records in PostgreSQL ({@code idempotencyStore: postgres}): two gateway instances on one database
 * answer a retry on the other instance with the first answer, and the service runs once.
 */
class GatewayPostgresIdempotencyTest {
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

    private static HttpResponse<String> pay(URI gateway, String key, String body) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(gateway.resolve("/pay/orders"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Idempotency-Key", "\"" + key + "\"")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoInstancesOnOneDatabaseRunARetriedRequestOnce() throws Exception {
        PostgresSupport.requirePostgres();
        EchoServlet service = new EchoServlet();
        URI backend = GatewayResilienceTest.echo(service, backends);
        String table =
                "gh_idem_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path file =
                Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { port: 0 }
                idempotencyStore:
                  store: postgres
                  url: "%s"
                  table: %s
                  maxConnections: 4
                routes:
                  - path: /pay
                    upstreams: [%s]
                    idempotency: true
                """.formatted(PostgresSupport.url(), table, backend));
        try (GatewayMain.Running a = GatewayMain.start(file);
                GatewayMain.Running b = GatewayMain.start(file)) {
            HttpResponse<String> first = pay(a.gateway.uri(), "order-42", "{\"amount\":42}");
            HttpResponse<String> retriedElsewhere = pay(b.gateway.uri(), "order-42", "{\"amount\":42}");
            HttpResponse<String> otherBody = pay(b.gateway.uri(), "order-42", "{\"amount\":43}");

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(retriedElsewhere.statusCode()).isEqualTo(200);
            assertThat(retriedElsewhere.headers().firstValue("Idempotent-Replayed"))
                    .hasValue("true");
            assertThat(retriedElsewhere.body()).isEqualTo(first.body());
            assertThat(otherBody.statusCode())
                    .as("the same key with another body")
                    .isEqualTo(422);
            assertThat(service.executions()).isEqualTo(1);
        }
    }

    @Test
    void badStoreValuesAreLocatedAndAnUnreachableDatabaseStopsTheStart() throws Exception {
        for (String[] bad : new String[][] {
            {"{ store: mongo }", "store mongo (expected: memory, redis or postgres)"},
            {"{ store: postgres }", "url null (expected: jdbc:postgresql://host:port/database?user=…)"},
            {"{ store: postgres, url: \"jdbc:postgresql://db/g\", table: Bad-Name }", "table Bad-Name (expected:"},
            {"{ store: memory, table: t }", "url, table, purgeEvery and maxConnections go with store: postgres"},
            {"{ store: redis }", "idempotencyStore redis but no redis URL"},
        }) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                            idempotencyStore: %s
                            routes:
                              - { path: /, upstreams: [builtin:echo], idempotency: true }
                            """.formatted(bad[0])))
                    .as(bad[0])
                    .hasMessageStartingWith("gateway.yaml line")
                    .hasMessageContaining(bad[1]);
        }
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path file = Files.writeString(dir.resolve("down.yaml"), """
                listen: { port: 0 }
                idempotencyStore:
                  store: postgres
                  url: "jdbc:postgresql://127.0.0.1:%d/gatehouse?user=u&password=hunter2"
                routes:
                  - { path: /, upstreams: [builtin:echo], idempotency: true }
                """.formatted(closedPort));
        assertThatThrownBy(() -> GatewayMain.start(file))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort)
                .hasMessageContaining("is unreachable")
                .hasMessageNotContaining("hunter2");
    }
}
