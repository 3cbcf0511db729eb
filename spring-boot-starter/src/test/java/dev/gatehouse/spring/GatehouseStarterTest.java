package dev.gatehouse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/** The starter in a Spring MVC service on embedded Tomcat, through a real HTTP client. */
@SpringBootTest(classes = StarterTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("starter")
class GatehouseStarterTest {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] SECRET =
            Base64.getDecoder().decode("Z2F0ZWhvdXNlLXRlc3Qtc2VjcmV0LW9mLXRoaXJ0eS10d28tYnl0ZXMhIQ==");

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String token(String subject) {
        long now = Instant.now().getEpochSecond();
        return Tokens.hmac(
                "HS256",
                SECRET,
                "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"test\"}",
                "{\"iss\":\"https://idp.test\",\"aud\":\"orders\",\"sub\":\"" + subject
                        + "\",\"scope\":\"orders:read\"," + "\"iat\":" + now + ",\"exp\":" + (now + 300) + "}");
    }

    @Test
    void aRequestWithoutATokenIs401ProblemJsonWithABearerChallengeAndARequestId() throws Exception {
        HttpResponse<String> response = send(request("/api/me"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Bearer"));
        assertThat(JSON.readTree(response.body()).path("status").asInt()).isEqualTo(401);
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aVerifiedTokenBecomesIdentityHeadersAndTheClientsOwnCopiesAreRemovedInAnyLetterCase() throws Exception {
        HttpResponse<String> response = send(request("/api/me")
                .header("Authorization", "Bearer " + token("alice"))
                .header("x-USER-id", "mallory"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode identity = JSON.readTree(response.body());
        assertThat(identity.path("x-user-id").asText()).isEqualTo("alice");
        assertThat(identity.path("x-scopes").asText()).isEqualTo("orders:read");
        assertThat(identity.toString()).doesNotContain("mallory");
    }

    @Test
    void aClientsIdentityHeaderNeverReachesTheServiceOnARouteWithoutAuthentication() throws Exception {
        HttpResponse<String> response =
                send(request("/public/me").header("X-User-Id", "mallory").header("X-USER-ID", "eve"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).size())
                .as("identity headers seen: %s", response.body())
                .isZero();
    }

    @Test
    void overTheLimitIs429ProblemJsonWithRateLimitFieldsAndRetryAfter() throws Exception {
        String client = "/public/limited";
        HttpResponse<String> first = send(request(client));
        send(request(client));
        HttpResponse<String> third = send(request(client));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("RateLimit-Policy"))
                .hasValueSatisfying(policy -> assertThat(policy).contains("q=2").contains("w=60"));
        assertThat(first.headers().firstValue("RateLimit"))
                .hasValueSatisfying(limit -> assertThat(limit).contains("r=1"));
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(third.headers().firstValue("RateLimit"))
                .hasValueSatisfying(limit -> assertThat(limit).contains("r=0"));
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void aCompressibleResponseIsGzippedForAClientThatAcceptsIt() throws Exception {
        HttpResponse<byte[]> response = CLIENT.send(
                request("/public/text").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().allValues("Vary"))
                .anySatisfy(vary -> assertThat(vary).containsIgnoringCase("Accept-Encoding"));
        String text = new String(
                new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text).startsWith("Gatehouse compresses what the service writes.");
        assertThat(response.body().length).isLessThan(text.length() / 10);
    }

    @Test
    void aCachedRouteAnswersRepeatsFromItsCacheEncodedForEachClient() throws Exception {
        HttpResponse<String> first = send(request("/public/cached"));
        HttpResponse<byte[]> second = CLIENT.send(
                request("/public/cached").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(first.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).startsWith("gatehouse; fwd=uri-miss"));
        assertThat(second.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).startsWith("gatehouse; hit"));
        assertThat(second.headers().firstValue("Age")).isPresent();
        assertThat(second.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String replayed = new String(
                new GZIPInputStream(new ByteArrayInputStream(second.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(replayed)
                .as("the stored, unencoded body, encoded for this client")
                .isEqualTo(first.body());
        assertThat(StarterTestApplication.CACHED_CALLS)
                .as("the controller ran once")
                .hasValue(1);
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyIsReplayedWithoutReachingTheController() throws Exception {
        String key = "\"" + UUID.randomUUID() + "\"";
        HttpRequest.Builder order = request("/api/orders")
                .header("Authorization", "Bearer " + token("alice"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"book\"}"));
        HttpResponse<String> first = send(order);
        int executed = StarterTestApplication.ORDERS.get();
        HttpResponse<String> retry = send(order);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(StarterTestApplication.ORDERS.get()).isEqualTo(executed);
    }

    @Test
    void aPreflightOnTheAuthenticatedRouteIs204WithTheCorsFieldsAndNoToken() throws Exception {
        HttpResponse<String> preflight = send(request("/api/orders")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, idempotency-key"));

        Map<String, String> cors = new TreeMap<>();
        preflight.headers().map().forEach((name, values) -> {
            if (name.toLowerCase(Locale.ROOT).startsWith("access-control-")) {
                cors.put(name.toLowerCase(Locale.ROOT), String.join(",", values));
            }
        });

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(cors)
                .isEqualTo(Map.of(
                        "access-control-allow-origin", "https://app.example.com",
                        "access-control-allow-methods", "GET, POST",
                        "access-control-allow-headers", "authorization, idempotency-key",
                        "access-control-max-age", "600"));
    }

    @Test
    void responsesCarryTheSecurityHeadersAndTheControllerTheTransformedHeader() throws Exception {
        HttpResponse<String> response = send(request("/api/me")
                .header("Authorization", "Bearer " + token("alice"))
                .header("Origin", "https://app.example.com"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(JSON.readTree(response.body()).path("x-user-name").asText()).isEqualTo("alice");
    }

    @Test
    void aValidRequestIdIsKeptAndEchoed() throws Exception {
        HttpResponse<String> response = send(request("/public/me").header("X-Request-Id", "order-42:retry-1"));

        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("order-42:retry-1");
    }

    @Test
    void anUncaughtControllerExceptionReachesBootsErrorHandlingWithTheRequestId() throws Exception {
        HttpResponse<String> response = send(request("/public/fail").header("X-Request-Id", "failing-1"));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.path("path").asText())
                .as("Boot's error attributes: %s", response.body())
                .isEqualTo("/public/fail");
        assertThat(error.path("status").asInt()).isEqualTo(500);
        assertThat(response.headers().firstValue("X-Request-Id"))
                .as("the error page passes through the policies")
                .hasValue("failing-1");
    }

    @Test
    void theApplicationsOwnPolicyRunsOnEveryRouteWhereItsCustomizerPutsIt() throws Exception {
        HttpResponse<String> guarded = send(request("/api/me").header("X-Debug", "1"));
        HttpResponse<String> unrouted = send(request("/nowhere").header("X-Debug", "1"));

        assertThat(guarded.statusCode())
                .as("refused before authentication could ask for a token")
                .isEqualTo(400);
        assertThat(JSON.readTree(guarded.body()).path("detail").asText()).isEqualTo("No debugging here.");
        assertThat(unrouted.statusCode()).isEqualTo(400);
    }

    @Test
    void exchangesAreRecordedInTheApplicationsMeterRegistry() throws Exception {
        send(request("/api/me"));

        assertThat(registry.find("gatehouse.policy.decisions")
                        .tag("policy", "auth")
                        .tag("outcome", "reject")
                        .counter())
                .isNotNull();
    }
}
