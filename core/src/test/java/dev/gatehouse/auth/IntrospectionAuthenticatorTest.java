package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Decision;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 7662 introspection against a real local HTTP server that counts its calls. */
class IntrospectionAuthenticatorTest {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final long T = NOW.getEpochSecond();
    static final String TOKEN = "opaque-2YotnFZFEjr1zCsicMWpAA";

    final MutableClock clock = new MutableClock(NOW);
    final AtomicInteger calls = new AtomicInteger();
    final List<String> forms = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile String answer;
    volatile int status = 200;
    volatile long delayMillis;
    HttpServer server;
    URI endpoint;

    @BeforeEach
    void startAuthorizationServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/introspect", exchange -> {
            calls.incrementAndGet();
            forms.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII));
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            sleep(delayMillis);
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/introspect");
        answer = active(T + 3600);
    }

    @AfterEach
    void stopAuthorizationServer() {
        server.stop(0);
    }

    static String active(long exp) {
        return "{\"active\":true,\"sub\":\"alice\",\"client_id\":\"web\",\"scope\":\"orders:read orders:write\","
                + "\"tenant\":\"acme\",\"exp\":" + exp + ",\"iss\":\"https://as.example\",\"aud\":[\"orders\"]}";
    }

    IntrospectionAuthenticator.Builder authenticator() {
        return IntrospectionAuthenticator.builder(endpoint)
                .clientSecretBasic("gateway", "s3cret:with/odd chars")
                .timeout(Duration.ofMillis(500))
                .clock(clock);
    }

    static Decision ask(AuthPolicy policy, String token) {
        return policy.onRequest(FakeExchange.get("/orders").header("Authorization", "Bearer " + token));
    }

    @Test
    void anActiveTokenBecomesThePrincipalAndIsAskedAboutOnce() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());

        Decision first = ask(policy, TOKEN);
        Decision second = ask(policy, TOKEN);

        for (Decision decision : List.of(first, second)) {
            assertThat(decision).isInstanceOfSatisfying(Decision.Proceed.class, proceed -> {
                assertThat(proceed.upstreamHeaders().first("X-User-Id")).hasValue("alice");
                assertThat(proceed.upstreamHeaders().first("X-Tenant-Id")).hasValue("acme");
                assertThat(proceed.upstreamHeaders().first("X-Scopes")).hasValue("orders:read orders:write");
            });
        }
        assertThat(calls).hasValue(1);
        assertThat(forms).containsExactly("token=" + TOKEN + "&token_type_hint=access_token");
        String basic = authorizations.get(0);
        assertThat(basic).startsWith("Basic ");
        assertThat(new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8))
                .isEqualTo("gateway:s3cret%3Awith%2Fodd+chars");
        assertThat(URLDecoder.decode("s3cret%3Awith%2Fodd+chars", StandardCharsets.UTF_8))
                .isEqualTo("s3cret:with/odd chars");
    }

    @Test
    void theGatewayMayAuthenticateToTheEndpointWithABearerToken() {
        AuthPolicy policy = AuthPolicy.anyOf(IntrospectionAuthenticator.builder(endpoint)
                .bearerToken("gateway-token")
                .clock(clock)
                .build());

        assertThat(ask(policy, TOKEN)).isInstanceOf(Decision.Proceed.class);
        assertThat(authorizations).containsExactly("Bearer gateway-token");
    }

    @Test
    void anInactiveTokenIsRefusedWithInvalidTokenAndTheRefusalIsRememberedBriefly() {
        answer = "{\"active\":false}";
        AuthPolicy policy = AuthPolicy.anyOf(authenticator()
                .cache(Duration.ofMinutes(5), Duration.ofSeconds(10), 100)
                .build());

        Decision refused = ask(policy, TOKEN);
        ask(policy, TOKEN);
        clock.advance(Duration.ofSeconds(11));
        answer = active(T + 3600);
        Decision later = ask(policy, TOKEN);

        assertThat(refused).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.status()).isEqualTo(401);
            assertThat(reject.headers().first("WWW-Authenticate"))
                    .hasValueSatisfying(
                            challenge -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""));
            assertThat(reject.reason())
                    .hasValueSatisfying(
                            reason -> assertThat(reason).contains("not active").doesNotContain(TOKEN));
        });
        assertThat(later).isInstanceOf(Decision.Proceed.class);
        assertThat(calls).hasValue(2);
    }

    @Test
    void aPassIsNeverRememberedPastTheTokensExpiry() {
        answer = active(T + 60);
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());

        assertThat(ask(policy, TOKEN)).isInstanceOf(Decision.Proceed.class);
        clock.advance(Duration.ofSeconds(59));
        assertThat(ask(policy, TOKEN)).isInstanceOf(Decision.Proceed.class);
        answer = "{\"active\":false}";
        clock.advance(Duration.ofSeconds(2));
        Decision expired = ask(policy, TOKEN);

        assertThat(expired)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(401));
        assertThat(calls).hasValue(2);
    }

    @Test
    void aPassIsRememberedAtMostTheConfiguredCeiling() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator()
                .cache(Duration.ofSeconds(30), Duration.ofSeconds(5), 100)
                .build());

        ask(policy, TOKEN);
        clock.advance(Duration.ofSeconds(31));
        ask(policy, TOKEN);

        assertThat(calls).hasValue(2);
    }

    @Test
    void concurrentRequestsWithTheSameTokenShareOneCall() throws Exception {
        delayMillis = 300;
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());
        ExecutorService clients = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Decision>> decisions = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                decisions.add(clients.submit(() -> {
                    start.await();
                    return ask(policy, TOKEN);
                }));
            }
            start.countDown();
            for (Future<Decision> decision : decisions) {
                assertThat(decision.get()).isInstanceOf(Decision.Proceed.class);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void anEndpointThatIsDownGives503WithRetryAfterAndNothingIsCached() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());
        server.stop(0);

        Decision down = ask(policy, TOKEN);

        assertThat(down).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.status()).isEqualTo(503);
            assertThat(reject.headers().first("Retry-After")).hasValue("5");
            assertThat(reject.reason())
                    .hasValueSatisfying(reason ->
                            assertThat(reason).contains("introspection").doesNotContain(TOKEN));
        });
    }

    @Test
    void errorsGarbageAndNonAnswersFromTheEndpointAreNeverAPass() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());
        List<Runnable> faults = List.of(
                () -> status = 500,
                () -> status = 401,
                () -> answer = "<html>oops</html>",
                () -> answer = "[true]",
                () -> answer = "{\"active\":\"true\",\"sub\":\"alice\"}",
                () -> answer = "{\"active\":true,\"sub\":42}",
                () -> answer = "{\"active\":false,\"sub\":\"alice\",\"active\":true}",
                () -> answer = "{\"active\":true,\"sub\":\"alice\"} {\"active\":false}",
                () -> answer = "");
        for (Runnable fault : faults) {
            status = 200;
            answer = active(T + 3600);
            fault.run();

            assertThat(ask(policy, TOKEN))
                    .isInstanceOfSatisfying(
                            Decision.Reject.class,
                            reject -> assertThat(reject.status()).isEqualTo(503));
        }
        status = 200;
        answer = active(T + 3600);
        assertThat(ask(policy, TOKEN)).isInstanceOf(Decision.Proceed.class);
        assertThat(calls).hasValue(faults.size() + 1);
    }

    @Test
    void aSlowEndpointCostsAtMostTheTimeout() {
        delayMillis = 3000;
        AuthPolicy policy =
                AuthPolicy.anyOf(authenticator().timeout(Duration.ofMillis(300)).build());

        long started = System.nanoTime();
        Decision slow = ask(policy, TOKEN);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(slow)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(503));
        assertThat(tookMillis).isLessThan(2500);
    }

    @Test
    void theFailureModeMayRefuseWith401Instead() {
        status = 503;
        AuthPolicy policy = AuthPolicy.anyOf(authenticator()
                .onEndpointFailure(IntrospectionAuthenticator.EndpointFailureMode.INVALID_TOKEN, Duration.ofSeconds(5))
                .build());

        assertThat(ask(policy, TOKEN))
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(401));
    }

    @Test
    void issuerAndAudienceAreCheckedWhenRequired() {
        AuthPolicy wrongAudience =
                AuthPolicy.anyOf(authenticator().audience("billing").build());
        AuthPolicy wrongIssuer =
                AuthPolicy.anyOf(authenticator().issuer("https://other.example").build());
        AuthPolicy matching = AuthPolicy.anyOf(authenticator()
                .issuer("https://as.example")
                .audience("billing")
                .audience("orders")
                .build());

        assertThat(ask(wrongAudience, TOKEN))
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.reason())
                                .hasValueSatisfying(reason -> assertThat(reason).contains("aud expected")));
        assertThat(ask(wrongIssuer, TOKEN))
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.reason())
                                .hasValueSatisfying(reason -> assertThat(reason).contains("iss expected")));
        assertThat(ask(matching, TOKEN)).isInstanceOf(Decision.Proceed.class);
    }

    @Test
    void anExpiredOrFutureTokenIsRefusedEvenWhenTheEndpointSaysActive() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());

        answer = active(T - 1);
        Decision expired = ask(policy, "expired-token-000000");
        answer = "{\"active\":true,\"sub\":\"alice\",\"nbf\":" + (T + 60) + "}";
        Decision early = ask(policy, "early-token-0000000");

        assertThat(List.of(expired, early))
                .allSatisfy(decision -> assertThat(decision)
                        .isInstanceOfSatisfying(
                                Decision.Reject.class,
                                reject -> assertThat(reject.status()).isEqualTo(401)));
    }

    @Test
    void aTokenWithoutSubjectUsesTheClientIdAndHostileValuesAreRefused() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().build());

        answer = "{\"active\":true,\"client_id\":\"batch-job\"}";
        Decision clientCredentials = ask(policy, "client-token-0000000");
        answer = "{\"active\":true,\"sub\":\"alice\\r\\nX-Admin: 1\"}";
        Decision hostile = ask(policy, "hostile-token-000000");

        assertThat(clientCredentials)
                .isInstanceOfSatisfying(
                        Decision.Proceed.class,
                        proceed -> assertThat(proceed.upstreamHeaders().first("X-User-Id"))
                                .hasValue("batch-job"));
        assertThat(hostile)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(401));
    }

    @Test
    void malformedTokensAreRefusedWithoutACallAndNoTokenIsAbsent() {
        AuthPolicy policy = AuthPolicy.anyOf(authenticator().maxTokenLength(64).build());

        Decision tooLong = ask(policy, "x".repeat(65));
        Decision twoFields = policy.onRequest(
                FakeExchange.get("/").header("Authorization", "Bearer a").header("authorization", "Bearer b"));
        Decision none = policy.onRequest(FakeExchange.get("/"));

        assertThat(tooLong)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(401));
        assertThat(twoFields)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(400));
        assertThat(none).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.status()).isEqualTo(401);
            assertThat(reject.headers().first("WWW-Authenticate")).hasValue("Bearer");
        });
        assertThat(calls).hasValue(0);
    }

    @Test
    void theBuilderRequiresClientAuthenticationAndSaneLimits() {
        assertThatThrownBy(() -> IntrospectionAuthenticator.builder(endpoint).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("client authentication");
        assertThatThrownBy(() -> IntrospectionAuthenticator.builder(URI.create("ftp://as.example/introspect")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: an http or https URL");
        assertThatThrownBy(() -> authenticator().cache(Duration.ofSeconds(5), Duration.ofSeconds(10), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negativeTtl");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
