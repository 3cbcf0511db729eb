package dev.gatehouse.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.DecisionLog;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REQUIREMENTS.md §7: the CORS protocol of the Fetch standard, and preflights before every guard. */
class CorsPolicyTest {
    static final String APP = "https://app.example.com";

    final CorsPolicy cors = CorsPolicy.builder()
            .allowOrigins(APP, "https://*.example.org", "http://localhost:*")
            .allowMethods("GET", "POST", "PUT")
            .allowHeaders("Authorization", "Idempotency-Key")
            .allowCredentials()
            .maxAge(Duration.ofMinutes(10))
            .exposeHeaders("ETag")
            .build();
    final AtomicInteger serviceCalls = new AtomicInteger();

    static FakeExchange preflight(String origin, String method) {
        return FakeExchange.of("OPTIONS", "/orders")
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
    }

    FakeResponse serve(PolicyChain chain, FakeExchange exchange) {
        return FakeHost.serve(chain, exchange, e -> {
            serviceCalls.incrementAndGet();
            return FakeResponse.ok("orders");
        });
    }

    static AuthPolicy requiredJwt() {
        byte[] secret = "k9Vq2xR7mZ4tW1pL8sN3bF6hJ0cD5gY_".getBytes(StandardCharsets.US_ASCII);
        return AuthPolicy.anyOf(JwtAuthenticator.builder()
                .issuer("https://idp.example", KeySet.of(JwtKey.hmac("k", JwtAlgorithm.HS256, secret)))
                .audience("orders")
                .build());
    }

    @Test
    void anAllowedPreflightIsAnswered204WithTheFieldsItAskedForAndNeverReachesTheService() {
        FakeResponse response = serve(
                PolicyChain.of(cors),
                preflight(APP, "PUT").header("Access-Control-Request-Headers", "authorization,Idempotency-Key"));

        assertThat(response.status()).isEqualTo(204);
        assertThat(response.headers().first("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().first("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(response.headers().first("Access-Control-Allow-Methods")).hasValue("GET, POST, PUT");
        assertThat(response.headers().first("Access-Control-Allow-Headers")).hasValue("authorization, idempotency-key");
        assertThat(response.headers().first("Access-Control-Max-Age")).hasValue("600");
        assertThat(response.headers().first("Vary"))
                .hasValueSatisfying(vary -> assertThat(vary).contains("Origin"));
        assertThat(response.body()).isEmpty();
        assertThat(serviceCalls).hasValue(0);
    }

    @Test
    void aPreflightOnAJwtRouteIsAnsweredBeforeAuthenticationWhateverTheOrderWritten() {
        PolicyChain chain = PolicyChain.of(RequestIdPolicy.ofDefaults(), requiredJwt(), cors);

        FakeResponse response = serve(chain, preflight(APP, "GET"));

        assertThat(chain.names()).containsExactly("request-id", "cors", "auth");
        assertThat(response.status()).isEqualTo(204);
        assertThat(response.headers().first("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().first("X-Request-Id")).isPresent();
    }

    @Test
    void aPreflightSpendsNoRateLimitTokenAndNeedsNoIdempotencyKey() {
        RateLimitPolicy limit = RateLimitPolicy.builder()
                .limits(Limit.of("minute", 1, Duration.ofMinutes(1)))
                .build();
        PolicyChain chain = PolicyChain.of(
                limit,
                IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults()).build(),
                cors);

        FakeResponse first = serve(chain, preflight(APP, "POST"));
        FakeResponse second = serve(chain, preflight(APP, "POST"));
        FakeResponse post = serve(chain, FakeExchange.post("/orders").header("Idempotency-Key", "\"k-1\""));

        assertThat(first.status()).isEqualTo(204);
        assertThat(second.status()).isEqualTo(204);
        assertThat(post.status()).isEqualTo(200);
    }

    @Test
    void aRefusalByAGuardCarriesTheCorsFieldsSoThePageCanReadWhy() {
        FakeResponse response = serve(
                PolicyChain.of(requiredJwt(), cors), FakeExchange.get("/orders").header("Origin", APP));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().first("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().first("Access-Control-Expose-Headers"))
                .hasValue("X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, ETag");
    }

    @Test
    void anActualRequestFromAnAllowedOriginGetsTheOriginCredentialsAndExposedHeaders() {
        FakeResponse response =
                serve(PolicyChain.of(cors), FakeExchange.get("/orders").header("Origin", APP));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().first("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().first("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(response.headers().all("Vary")).containsExactly("Origin");
        assertThat(serviceCalls).hasValue(1);
    }

    @Test
    void aResponseWithoutOriginStillVariesByOriginAndKeepsTheServicesVary() {
        FakeResponse response = FakeHost.serve(
                PolicyChain.of(cors),
                FakeExchange.get("/orders"),
                e -> FakeResponse.ok("x").header("Vary", "Accept-Encoding"));

        assertThat(response.headers().all("Vary")).containsExactly("Accept-Encoding, Origin");
        assertThat(response.headers().contains("Access-Control-Allow-Origin")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "https://evil.example.com",
                "http://app.example.com",
                "https://app.example.com:8443",
                "https://APP.example.com",
                "null",
                "https://a.b.example.org",
                "https://evil-example.org",
                "https://example.org"
            })
    void aDisallowedOriginGetsNoCorsFieldAndALoggedReason(String origin) {
        FakeExchange exchange = FakeExchange.get("/orders").header("Origin", origin);

        FakeResponse response = serve(PolicyChain.of(cors), exchange);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().names()).noneMatch(name -> name.startsWith("Access-Control-"));
        assertThat(response.headers().all("Vary")).containsExactly("Origin");
        assertThat(DecisionLog.of(exchange).entries())
                .extracting(DecisionLog.Entry::toString)
                .anySatisfy(entry ->
                        assertThat(entry).contains("cors:proceed(origin").contains("not allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://evil.example.com", "none"})
    void theServicesOwnCorsFieldsNeverReachAnOriginThePolicyDoesNotAllow(String origin) {
        FakeExchange exchange = FakeExchange.get("/orders");
        if (!origin.equals("none")) {
            exchange.header("Origin", origin);
        }
        // A service that reflects whatever Origin it is sent, with credentials.
        FakeResponse response = FakeHost.serve(
                PolicyChain.of(cors),
                exchange,
                e -> FakeResponse.ok("x")
                        .header("access-control-allow-origin", origin)
                        .header("Access-Control-Allow-Credentials", "true")
                        .header("Access-Control-Expose-Headers", "X-Secret")
                        .header("Access-Control-Allow-Methods", "DELETE")
                        .header("X-Other", "kept")
                        .header("Access-Control-Allow-Origin", "https://again.example"));

        assertThat(response.headers().names()).noneMatch(name -> name.regionMatches(true, 0, "Access-Control-", 0, 15));
        assertThat(response.headers().first("X-Other")).hasValue("kept");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://api.example.org", "http://localhost:3000", "http://localhost"})
    void patternsMatchOneLabelOrAnyPort(String origin) {
        FakeResponse response =
                serve(PolicyChain.of(cors), FakeExchange.get("/orders").header("Origin", origin));

        assertThat(response.headers().first("Access-Control-Allow-Origin")).hasValue(origin);
    }

    @Test
    void aPreflightFromADisallowedOriginIs403WithoutCorsFieldsAndNeverReachesTheService() {
        FakeExchange exchange = preflight("https://evil.example", "GET");

        FakeResponse response = serve(PolicyChain.of(cors), exchange);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers().names()).noneMatch(name -> name.startsWith("Access-Control-"));
        assertThat(serviceCalls).hasValue(0);
        assertThat(DecisionLog.of(exchange).entries().get(0).reason())
                .isEqualTo("preflight refused: origin https://evil.example not allowed");
    }

    @Test
    void aWebSocketHandshakeFromADisallowedOriginIs403AndNeverReachesTheService() {
        FakeExchange exchange = FakeExchange.get("/orders/live")
                .header("Origin", "https://evil.example")
                .header("Upgrade", "WebSocket");

        FakeResponse response = serve(PolicyChain.of(cors), exchange);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers().names()).noneMatch(name -> name.startsWith("Access-Control-"));
        assertThat(serviceCalls).hasValue(0);
        assertThat(DecisionLog.of(exchange).entries().get(0).reason())
                .isEqualTo("websocket refused: origin https://evil.example not allowed");
    }

    @Test
    void aWebSocketHandshakeFromAnAllowedOriginOrWithoutOriginGoesOn() {
        FakeResponse allowed = serve(
                PolicyChain.of(cors),
                FakeExchange.get("/orders/live").header("Origin", APP).header("Upgrade", "websocket"));
        FakeResponse noBrowser =
                serve(PolicyChain.of(cors), FakeExchange.get("/orders/live").header("Upgrade", "websocket"));

        assertThat(allowed.status()).isEqualTo(200);
        assertThat(noBrowser.status()).isEqualTo(200);
        assertThat(serviceCalls).hasValue(2);
    }

    @Test
    void aPreflightForADisallowedMethodOrHeaderIsRefusedWithAReason() {
        FakeExchange delete = preflight(APP, "DELETE");
        FakeExchange lowerCasePut = preflight(APP, "put");
        FakeExchange header = preflight(APP, "GET").header("Access-Control-Request-Headers", "x-secret");

        assertThat(serve(PolicyChain.of(cors), delete).status()).isEqualTo(403);
        assertThat(serve(PolicyChain.of(cors), lowerCasePut).status()).isEqualTo(403);
        assertThat(serve(PolicyChain.of(cors), header).status()).isEqualTo(403);
        assertThat(DecisionLog.of(delete).entries().get(0).reason()).contains("method DELETE not allowed");
        assertThat(DecisionLog.of(header).entries().get(0).reason()).contains("header x-secret not allowed");
    }

    @Test
    void anOptionsRequestWithoutRequestMethodIsNotAPreflight() {
        FakeResponse response = serve(
                PolicyChain.of(cors), FakeExchange.of("OPTIONS", "/orders").header("Origin", APP));

        assertThat(response.status()).isEqualTo(200);
        assertThat(serviceCalls).hasValue(1);
    }

    @Test
    void anyOriginWithoutCredentialsAnswersStarAndDoesNotVary() {
        CorsPolicy open = CorsPolicy.builder().allowAnyOrigin().build();

        FakeResponse response =
                serve(PolicyChain.of(open), FakeExchange.get("/orders").header("Origin", "https://any.example"));

        assertThat(response.headers().first("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(response.headers().contains("Access-Control-Allow-Credentials"))
                .isFalse();
        assertThat(response.headers().contains("Vary")).isFalse();
    }

    @Test
    void anyHeaderEchoesExactlyWhatWasAsked() {
        CorsPolicy anyHeader =
                CorsPolicy.builder().allowOrigins(APP).allowAnyHeader().build();

        Decision decision =
                anyHeader.onRequest(preflight(APP, "GET").header("Access-Control-Request-Headers", "x-a, x-b"));

        assertThat(((Decision.Replay) decision).response().headers().first("Access-Control-Allow-Headers"))
                .hasValue("x-a, x-b");
    }

    @Test
    void anyHeaderNeverEchoesWhatIsNotAHeaderName() {
        CorsPolicy anyHeader =
                CorsPolicy.builder().allowOrigins(APP).allowAnyHeader().build();

        Decision decision =
                anyHeader.onRequest(preflight(APP, "GET").header("Access-Control-Request-Headers", "x-a, <script>"));

        assertThat(decision)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(403));
    }

    @Test
    void refusesAnyOriginWithCredentialsWhenBuilt() {
        CorsPolicy.Builder builder = CorsPolicy.builder().allowAnyOrigin().allowCredentials();

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("allowAnyOrigin() with allowCredentials()");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "*",
                "null",
                "https://App.example.com",
                "app.example.com",
                "https://app.example.com/",
                "https://*",
                "https://*.com",
                "https://ex*.example.com"
            })
    void refusesOriginsThatAreNotSerializedOriginsOrSafePatterns(String origin) {
        assertThatThrownBy(() -> CorsPolicy.builder().allowOrigins(origin).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("origin: " + origin);
    }

    @Test
    void refusesAPolicyWithoutOrigins() {
        assertThatThrownBy(() -> CorsPolicy.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("origins: none");
    }
}
