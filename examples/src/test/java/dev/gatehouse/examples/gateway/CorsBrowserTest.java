package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.cors.CorsPolicy;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.Tokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * REQUIREMENTS.md §7 in a real browser: Debian's headless Chromium, driven by {@code playwright-core}
 * ({@code src/test/browser}), loads a page from {@code http://127.0.0.1:A} that calls a JWT-protected API
 * through the gateway on {@code http://127.0.0.1:B}, and the same page from {@code http://localhost:A}, an origin
 * the API does not allow. Needs {@code chromium} (or {@code GATEHOUSE_CHROMIUM}), {@code node} and {@code npm ci}
 * in {@code examples/src/test/browser}; skipped without them unless {@code GATEHOUSE_REQUIRE_TOOLS} is set.
 */
class CorsBrowserTest {
    private static final byte[] SECRET = "k9Vq2xR7mZ4tW1pL8sN3bF6hJ0cD5gY_".getBytes(StandardCharsets.US_ASCII);

    private final List<Server> servers = new ArrayList<>();
    private final List<String> seenByGateway = new CopyOnWriteArrayList<>();
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        for (Server server : servers) {
            server.stop();
        }
    }

    @Test
    void aPageFromAnAllowedOriginCallsTheJwtApiAndADisallowedOneIsBlocked() throws Exception {
        String chromium = BrowserTools.requireChromium("the CORS browser test");
        URI page = start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8");
                response.write(
                        true,
                        StandardCharsets.UTF_8.encode("<!doctype html><title>orders app</title><p>app</p>"),
                        callback);
                return true;
            }
        });
        EchoServlet echo = new EchoServlet();
        ServletContextHandler backend = new ServletContextHandler();
        backend.addServlet(new ServletHolder(echo), "/*");
        URI upstream = start(backend);
        String allowedOrigin = "http://127.0.0.1:" + page.getPort();
        PolicyChain api = PolicyChain.of(
                new Recorder(),
                RequestIdPolicy.ofDefaults(),
                AuthPolicy.anyOf(JwtAuthenticator.builder()
                        .issuer("https://idp.example", KeySet.of(JwtKey.hmac("k1", JwtAlgorithm.HS256, SECRET)))
                        .audience("orders")
                        .build()),
                RateLimitPolicy.builder()
                        .limits(Limit.of("minute", 100, Duration.ofMinutes(1)))
                        .build(),
                // Written last: the chain still answers preflights before authentication and the rate limit.
                CorsPolicy.builder()
                        .allowOrigins(allowedOrigin)
                        .allowMethods("GET", "POST")
                        .allowHeaders("Authorization", "Content-Type")
                        .allowCredentials()
                        .build());
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/api", List.of(upstream), api, Duration.ofSeconds(10)))
                .build()
                .start();

        JsonNode seen = runBrowser(
                chromium,
                allowedOrigin + "/",
                "http://localhost:" + page.getPort() + "/",
                "http://127.0.0.1:" + gateway.uri().getPort(),
                token());

        JsonNode allowed = seen.get("allowed");
        assertThat(allowed.get("origin").asText()).isEqualTo(allowedOrigin);
        assertThat(allowed.get("getStatus").asInt()).isEqualTo(200);
        assertThat(allowed.get("requestId").asText()).matches("[0-9a-f]{32}");
        assertThat(allowed.get("rateLimit").asText()).contains("\"minute\";r=");
        assertThat(allowed.get("postStatus").asInt()).isEqualTo(200);
        JsonNode posted = new ObjectMapper().readTree(allowed.get("postBody").asText());
        assertThat(posted.get("method").asText()).isEqualTo("POST");
        assertThat(posted.get("headers").get("x-user-id").asText()).isEqualTo("browser-user");
        assertThat(allowed.get("anonymousStatus").asInt()).isEqualTo(401);
        assertThat(allowed.get("anonymousType").asText()).startsWith("application/problem+json");
        JsonNode disallowed = seen.get("disallowed");
        assertThat(disallowed.get("origin").asText()).isEqualTo("http://localhost:" + page.getPort());
        assertThat(disallowed.get("blocked").asBoolean()).isTrue();
        assertThat(seenByGateway).contains("OPTIONS 204").contains("OPTIONS 403");
        assertThat(seenByGateway)
                .filteredOn(line -> line.startsWith("OPTIONS 401"))
                .isEmpty();
    }

    /** Records each exchange's method and final status at the gateway. */
    private final class Recorder implements OffloadPolicy {
        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.proceed();
        }

        @Override
        public void onComplete(Exchange exchange, Completion completion) {
            seenByGateway.add(exchange.method() + " " + completion.status());
        }
    }

    private static String token() {
        long now = Instant.now().getEpochSecond();
        return Tokens.hmac(
                "HS256",
                SECRET,
                "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                "{\"iss\":\"https://idp.example\",\"aud\":\"orders\",\"sub\":\"browser-user\",\"exp\":" + (now + 600)
                        + "}");
    }

    private URI start(Handler handler) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    private static JsonNode runBrowser(
            String chromium, String allowedPage, String disallowedPage, String api, String token) throws Exception {
        Path stderr = Files.createTempFile("gatehouse-browser", ".log");
        try {
            Process node = new ProcessBuilder(
                            "node", "cors-browser.js", chromium, allowedPage, disallowedPage, api, token)
                    .directory(BrowserTools.SCRIPTS.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            byte[] out = node.getInputStream().readAllBytes();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue())
                    .as("node cors-browser.js failed: %s", Files.readString(stderr))
                    .isZero();
            return new ObjectMapper().readTree(out);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
