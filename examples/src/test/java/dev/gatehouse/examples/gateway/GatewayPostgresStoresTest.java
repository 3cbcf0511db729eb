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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency records ({@code idempotencyStore: postgres}) and rate-limit buckets ({@code rateLimitStore: postgres})
 * in PostgreSQL: two gateway instances on one database answer a retry on the other instance with the first answer,
 * the service runs once, and they share one budget.
 */
class GatewayPostgresStoresTest {
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
    void twoInstancesOnOneDatabaseShareOneBudgetAndRefilledBucketsAreDeleted() throws Exception {
        DataSource database = PostgresSupport.requirePostgres();
        String table = "gh_rl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path file = Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { port: 0 }
                rateLimitStore:
                  store: postgres
                  url: "%s"
                  table: %s
                  maxConnections: 4
                  purgeEvery: 500ms
                routes:
                  - path: /shared
                    upstreams: [builtin:echo]
                    rateLimit: { key: route, perMinute: 3 }
                  - path: /brief
                    upstreams: [builtin:echo]
                    rateLimit: { key: route, perSecond: 1 }
                """.formatted(PostgresSupport.url(), table));
        try (GatewayMain.Running a = GatewayMain.start(file);
                GatewayMain.Running b = GatewayMain.start(file)) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(get((i % 2 == 0 ? a : b).gateway.uri().resolve("/shared"))
                        .statusCode());
            }
            HttpResponse<String> brief = get(a.gateway.uri().resolve("/brief"));

            assertThat(statuses).as("three a minute across both instances").containsExactly(200, 200, 200, 429);
            assertThat(brief.statusCode()).isEqualTo(200);
            assertThat(rows(database, table)).isEqualTo(2);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (rows(database, table) > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(rows(database, table))
                    .as("the per-second bucket refilled and its row was deleted; the per-minute one stays")
                    .isEqualTo(1);
            assertThat(get(b.gateway.uri().resolve("/shared")).statusCode())
                    .as("the budget outlives the purge")
                    .isEqualTo(429);
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long rows(DataSource database, String table) throws Exception {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet count = statement.executeQuery("SELECT count(*) FROM " + table)) {
            count.next();
            return count.getLong(1);
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
