package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.PolicyChain;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health beside passive health, against real backends whose health endpoint a test turns bad and good:
 * ejection and readmission, what {@code /admin/status} and the {@code gatehouse.gateway.upstream.up} gauge say, and
 * probes that stop with a reload and with the gateway.
 */
class GatewayActiveHealthTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final GatewayRoute.ActiveHealth FAST =
            new GatewayRoute.ActiveHealth("/health", Duration.ofMillis(100), Duration.ofMillis(300), 2, 2);

    private final List<Server> servers = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Gateway gateway;

    /** A backend that answers its name, and {@code /health} with the status a test sets (or after a delay). */
    static final class Backend extends HttpServlet {
        final String name;
        final AtomicInteger healthStatus = new AtomicInteger(200);
        final AtomicInteger healthDelayMillis = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();
        volatile String probeAgent;
        URI uri;

        Backend(String name) {
            this.name = name;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getRequestURI().equals("/health")) {
                probes.incrementAndGet();
                probeAgent = request.getHeader("User-Agent");
                try {
                    Thread.sleep(healthDelayMillis.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                response.setStatus(healthStatus.get());
                return;
            }
            response.getWriter().write(name);
        }
    }

    private Backend backend(String name) throws Exception {
        Backend backend = new Backend(name);
        backend.uri = GatewayResilienceTest.echo(backend, servers);
        return backend;
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        for (Server server : servers) {
            server.stop();
        }
    }

    private Gateway start(GatewayRoute route) throws Exception {
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .meterRegistry(registry)
                .route(route)
                .build()
                .start();
        return gateway;
    }

    private static GatewayRoute route(Backend... backends) {
        List<URI> uris = new ArrayList<>();
        for (Backend backend : backends) {
            uris.add(backend.uri);
        }
        return new GatewayRoute("/", uris, PolicyChain.empty(), Duration.ofSeconds(5));
    }

    private String get(String path) throws Exception {
        return CLIENT.send(
                        HttpRequest.newBuilder(gateway.uri().resolve(path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> upstreamStatus(Backend backend) {
        for (Map<String, Object> route : gateway.status()) {
            for (Map<String, Object> upstream : (List<Map<String, Object>>) route.get("upstreams")) {
                if (upstream.get("url").equals(backend.uri.toString())) {
                    return upstream;
                }
            }
        }
        throw new AssertionError("no status for " + backend.uri);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> active(Backend backend) {
        return (Map<String, Object>) upstreamStatus(backend).get("active");
    }

    private double gauge(Backend backend) {
        return registry.get("gatehouse.gateway.upstream.up")
                .tag("upstream", backend.uri.getRawAuthority())
                .gauge()
                .value();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void anUpstreamFailingItsProbesIsEjectedAndReadmittedOnceThemPassAgain() throws Exception {
        Backend a = backend("a");
        Backend b = backend("b");
        start(route(a, b).withActiveHealth(FAST));
        await(() -> a.probes.get() > 0 && b.probes.get() > 0);
        assertThat(active(a)).containsEntry("state", "healthy").containsEntry("lastError", null);
        assertThat(a.probeAgent).isEqualTo("gatehouse-health-probe");

        a.healthStatus.set(503);
        await(() -> "unhealthy".equals(active(a).get("state")));

        List<String> served = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            served.add(get("/orders"));
        }
        assertThat(served).containsOnly("b");
        assertThat(active(a)).containsEntry("lastError", "status 503");
        assertThat(active(a).get("lastProbe")).isNotNull();
        assertThat(upstreamStatus(a)).as("passive health saw no failure").containsEntry("health", "healthy");
        assertThat(gauge(a)).isEqualTo(0.0);
        assertThat(gauge(b)).isEqualTo(1.0);

        a.healthStatus.set(204);
        await(() -> "healthy".equals(active(a).get("state")));

        served.clear();
        for (int i = 0; i < 6; i++) {
            served.add(get("/orders"));
        }
        assertThat(served).contains("a", "b");
        assertThat(gauge(a)).isEqualTo(1.0);
    }

    @Test
    void aProbeThatTimesOutOrCannotConnectCountsAsFailed() throws Exception {
        Backend slow = backend("slow");
        Backend b = backend("b");
        slow.healthDelayMillis.set(1000);
        start(route(slow, b).withActiveHealth(FAST));

        await(() -> "unhealthy".equals(active(slow).get("state")));

        assertThat(active(slow)).containsEntry("lastError", "timed out");
        assertThat(get("/x")).isEqualTo("b");

        servers.get(1).stop();
        await(() -> "unhealthy".equals(active(b).get("state")));
        assertThat(active(b)).containsEntry("lastError", "connection refused");
    }

    @Test
    void aRouteWithoutActiveHealthIsNeverProbedAndShowsNoActiveState() throws Exception {
        Backend a = backend("a");
        start(route(a));

        Thread.sleep(300);

        assertThat(a.probes).hasValue(0);
        assertThat(upstreamStatus(a)).doesNotContainKey("active");
    }

    @Test
    void aReloadStopsTheOldProbesAndStartsTheNewOnes() throws Exception {
        Backend a = backend("a");
        Backend b = backend("b");
        start(route(a).withActiveHealth(FAST));
        await(() -> a.probes.get() > 0);

        gateway.replaceRoutes(List.of(route(b).withActiveHealth(FAST)), List.of(), PolicyChain.empty());
        await(() -> b.probes.get() > 0);
        int probesOfA = a.probes.get();
        Thread.sleep(400);

        assertThat(a.probes.get()).as("no probe of the route that was replaced").isLessThanOrEqualTo(probesOfA + 1);
        assertThat(b.probes.get()).isGreaterThan(1);
    }

    @Test
    void stoppingTheGatewayStopsTheProbesAndTheirThread() throws Exception {
        Backend a = backend("a");
        start(route(a).withActiveHealth(FAST));
        await(() -> a.probes.get() > 0);
        assertThat(probeThreads()).isPositive();

        gateway.stop();
        gateway = null;
        int probes = a.probes.get();
        await(() -> probeThreads() == 0);
        Thread.sleep(300);

        assertThat(a.probes.get()).isLessThanOrEqualTo(probes + 1);
    }

    @Test
    void fromYamlTheAdminStatusAndMetricsShowTheActiveState(@TempDir Path dir) throws Exception {
        Backend a = backend("a");
        a.healthStatus.set(500);
        Path file = Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { port: 0 }
                admin: { port: 0 }
                routes:
                  - path: /
                    upstreams: [%s]
                    activeHealth: { interval: 100ms, timeout: 1s, unhealthyThreshold: 1 }
                """.formatted(a.uri));
        try (GatewayMain.Running running = GatewayMain.start(file)) {
            URI admin = running.admin.uri();
            JsonNode upstream = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode status = JSON.readTree(fetch(admin.resolve("/admin/status")));
                upstream = status.path("routes").path(0).path("upstreams").path(0);
                if (upstream.path("active").path("state").asText().equals("unhealthy")) {
                    break;
                }
                Thread.sleep(50);
            }

            assertThat(upstream.path("active").path("state").asText()).isEqualTo("unhealthy");
            assertThat(upstream.path("active").path("lastError").asText()).isEqualTo("status 500");
            assertThat(upstream.path("active").path("lastProbe").asText()).endsWith("Z");
            assertThat(fetch(admin.resolve("/metrics")))
                    .contains("gatehouse_gateway_upstream_up{route=\"/\",upstream=\"" + a.uri.getRawAuthority()
                            + "\"} 0.0");
        }
    }

    private static String fetch(URI uri) throws Exception {
        return CLIENT.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(Gateway.PROBE_THREAD) && thread.isAlive())
                .count();
    }
}
