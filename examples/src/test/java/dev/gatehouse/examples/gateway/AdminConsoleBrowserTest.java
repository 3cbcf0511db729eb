package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.examples.backends.EchoServlet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin console in a real browser: headless Chromium, driven by {@code playwright-core} ({@code
 * src/test/browser/admin-console-browser.js}), signs in with the admin token and reads the console of a gateway
 * started from a YAML file. Saves a screenshot to {@code target/admin-console.png} (the README shows a copy).
 */
class AdminConsoleBrowserTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String ADMIN_TOKEN = "console-test-token-5f3a9c1e";
    private static final String KEY = "gh_console_0123456789abcdef";
    private static final String REFUSED_KEY = "gh_not_a_key_but_a_secret_42";
    private static final Path SCREENSHOT = Path.of("target/admin-console.png");

    @TempDir
    Path dir;

    private final List<Server> upstreams = new ArrayList<>();
    private GatewayMain.Running running;

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
        for (Server upstream : upstreams) {
            upstream.stop();
        }
    }

    @Test
    void theConsoleShowsEveryRouteARefusalWithinTwoSecondsAndAnEjectedUpstream() throws Exception {
        String chromium = BrowserTools.requireChromium("the admin console browser test");
        URI stable = upstream();
        URI doomed = upstream();
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listen: { port: 0 }
                admin: { port: 0, token: %s }
                auth:
                  apiKeys:
                    - { sha256: %s, owner: console, plan: free }
                routes:
                  - path: /api
                    upstreams: [%s]
                    auth: required
                    rateLimit: { key: principal, perMinute: 600 }
                  - path: /api
                    headers: { X-Tenant: blocked }
                    upstreams: [%s]
                    auth: required
                  - path: /public
                    upstreams: [%s]
                    compression: true
                  - path: /orders
                    upstreams: [%s, %s]
                    passiveHealth: { failures: 1, ejectFor: 60s }
                    circuitBreaker: { failureRate: 50, window: 20, openFor: 10s }
                """.formatted(
                        ADMIN_TOKEN, ApiKeyAuthenticator.digestOf(KEY), stable, stable, stable, stable, doomed));
        running = GatewayMain.start(file);
        URI gateway = running.gateway.uri();
        for (int i = 0; i < 8; i++) {
            send(gateway.resolve("/public/page?size=" + i), null);
            send(gateway.resolve("/api/orders/" + i), KEY);
            send(gateway.resolve("/orders/" + i), null);
        }
        List<String> routes = running.gateway.status().stream()
                .map(route -> (String) route.get("route"))
                .toList();
        Files.deleteIfExists(SCREENSHOT);

        Process node = new ProcessBuilder(
                        "node",
                        "admin-console-browser.js",
                        chromium,
                        running.admin.uri() + "/",
                        ADMIN_TOKEN,
                        gateway.toString(),
                        REFUSED_KEY,
                        SCREENSHOT.toAbsolutePath().toString())
                .directory(BrowserTools.SCRIPTS.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        JsonNode seen;
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
                Writer in = node.outputWriter(StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).as("the console rendered").isEqualTo("rendered");
            upstreams.get(1).stop();
            assertThat(send(gateway.resolve("/orders/after"), null)).isIn(200, 502);
            assertThat(send(gateway.resolve("/orders/after"), null)).isIn(200, 502);
            in.write("stopped\n");
            in.flush();
            String result = out.readLine();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue())
                    .as("node admin-console-browser.js failed")
                    .isZero();
            seen = new ObjectMapper().readTree(result);
        } finally {
            node.destroyForcibly();
        }

        assertThat(seen.path("loginUrl").asText())
                .as("a browser without a session signs in first")
                .endsWith("/login");
        assertThat(seen.path("routes").findValuesAsText("route"))
                .as("every route, in match order")
                .containsExactlyElementsOf(routes)
                .containsExactlyInAnyOrder("/api", "/api x-tenant=blocked", "/public", "/orders");
        assertThat(route(seen, "/api").path("policies").toString())
                .as("the route's chain in the order it runs")
                .contains("\"request-id\",\"client-address\",\"access-log\",\"proxy-hygiene\",\"auth\",\"ratelimit\"");
        assertThat(route(seen, "/orders").path("health").toString())
                .as("before the upstream stopped")
                .isEqualTo("[\"healthy\",\"healthy\"]");
        assertThat(seen.path("refusedStatus").asInt()).isEqualTo(401);
        assertThat(seen.path("refusalMillis").asLong()).isLessThanOrEqualTo(2000);
        assertThat(seen.path("refusal").toString())
                .contains("/api")
                .contains("401")
                .contains("auth");
        assertThat(seen.path("ejected").toString()).isEqualTo("[\"" + doomed + "\"]");
        assertThat(seen.path("pageText").asText()).doesNotContain(REFUSED_KEY).doesNotContain(ADMIN_TOKEN);
        assertThat(seen.path("consoleErrors")).isEmpty();
        assertThat(Files.readAllBytes(SCREENSHOT)).startsWith(0x89, 'P', 'N', 'G');
    }

    private static JsonNode route(JsonNode seen, String name) {
        for (JsonNode route : seen.path("routes")) {
            if (route.path("route").asText().equals(name)) {
                return route;
            }
        }
        throw new AssertionError("no route " + name + " in " + seen.path("routes"));
    }

    private static int send(URI uri, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private URI upstream() throws Exception {
        ServletContextHandler backend = new ServletContextHandler();
        backend.addServlet(new ServletHolder(new EchoServlet()), "/*");
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(backend);
        server.start();
        upstreams.add(server);
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }
}
