package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.testing.RedisSupport;
import dev.gatehouse.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every policy option the gateway's YAML offers, tried through a running gateway, and its located errors. */
class GatewayYamlPoliciesTest {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "gh_test_0123456789abcdef0123";

    @TempDir
    Path dir;

    private GatewayMain.Running start(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml.formatted(ApiKeyAuthenticator.digestOf(KEY)));
        return GatewayMain.start(file);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode echoedHeaders(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("headers");
    }

    @Test
    void theLargestBodyLimitAcceptedStillServesBodies() throws Exception {
        // The limit plus the one byte read past it to see a longer body overflowed an int: every POST was a 500.
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    idempotency: { maxBodySize: 2147483647B }
                """)) {
            HttpResponse<String> response =
                    send(HttpRequest.newBuilder(running.gateway.uri().resolve("/pay"))
                            .header("Idempotency-Key", "\"big-limit\"")
                            .POST(HttpRequest.BodyPublishers.ofString("hello")));

            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void trustedProxiesNameTheClientForLimitsLogsAndForwardingHeaders() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                trustedProxies: [127.0.0.1/32]
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    rateLimit: { key: address, perMinute: 1 }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> first = send(
                    HttpRequest.newBuilder(base.resolve("/a")).header("X-Forwarded-For", "198.51.100.1, 203.0.113.9"));
            HttpResponse<String> otherClient =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Forwarded-For", "203.0.113.10"));
            HttpResponse<String> sameClient =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Forwarded-For", "203.0.113.9"));

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(echoedHeaders(first).path("x-forwarded-for").asText()).isEqualTo("203.0.113.9");
            assertThat(echoedHeaders(first).path("forwarded").asText()).contains("for=\"203.0.113.9\"");
            assertThat(otherClient.statusCode())
                    .as("another client has its own budget")
                    .isEqualTo(200);
            assertThat(sameClient.statusCode())
                    .as("the same client behind the proxy")
                    .isEqualTo(429);
        }
    }

    @Test
    void trustedProxiesThatWriteForwardedNameTheClientThroughIt() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                trustedProxies: [127.0.0.1/32]
                trustedProxiesHeader: forwarded
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    rateLimit: { key: address, perMinute: 1 }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> first = send(HttpRequest.newBuilder(base.resolve("/a"))
                    .header("Forwarded", "for=198.51.100.1, for=\"203.0.113.9\";proto=https"));
            HttpResponse<String> sameClient =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("Forwarded", "for=203.0.113.9"));
            HttpResponse<String> forwardedForIgnored =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Forwarded-For", "203.0.113.9"));

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(echoedHeaders(first).path("x-forwarded-for").asText()).isEqualTo("203.0.113.9");
            assertThat(sameClient.statusCode()).isEqualTo(429);
            assertThat(forwardedForIgnored.statusCode())
                    .as("X-Forwarded-For is not read: the client is the peer, a bucket of its own")
                    .isEqualTo(200);
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        trustedProxiesHeader: forwarded
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("trustedProxiesHeader forwarded without trustedProxies");
    }

    @Test
    void withoutTrustedProxiesAForwardedForHeaderNamesNoClient() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    rateLimit: { key: address, perMinute: 1 }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> first =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Forwarded-For", "203.0.113.9"));
            HttpResponse<String> spoofed =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Forwarded-For", "203.0.113.10"));

            assertThat(echoedHeaders(first).path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
            assertThat(spoofed.statusCode()).isEqualTo(429);
        }
    }

    @Test
    void rateLimitsKeyByAHeaderAndChargeACost() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    rateLimit: { key: "header:X-Tenant", perMinute: 3, cost: 2 }
                """)) {
            URI base = running.gateway.uri();
            HttpRequest.Builder tenantA =
                    HttpRequest.newBuilder(base.resolve("/a")).header("X-Tenant", "a");

            assertThat(send(tenantA).statusCode()).isEqualTo(200);
            assertThat(send(tenantA).statusCode())
                    .as("3 - 2 leaves 1: a cost of 2 is refused")
                    .isEqualTo(429);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Tenant", "b"))
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void rateLimitsKeyByApiKeyOwner() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                auth:
                  apiKeys:
                    - { sha256: %s, owner: tester, plan: free }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    auth: optional
                    rateLimit: { key: apiKey, perMinute: 1 }
                """)) {
            URI base = running.gateway.uri();

            assertThat(send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Api-Key", KEY))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Api-Key", KEY))
                            .statusCode())
                    .isEqualTo(429);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/a"))).statusCode())
                    .as("requests without a key share their own bucket")
                    .isEqualTo(200);
        }
    }

    @Test
    void idempotencyCanBeRequiredWithItsOwnMethodsAndTtl() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    idempotency: { required: true, methods: [POST, PUT], ttl: 1h }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> withoutKey =
                    send(HttpRequest.newBuilder(base.resolve("/pay")).PUT(HttpRequest.BodyPublishers.ofString("{}")));
            HttpResponse<String> first = send(HttpRequest.newBuilder(base.resolve("/pay"))
                    .header("Idempotency-Key", "\"k-1\"")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));
            HttpResponse<String> retry = send(HttpRequest.newBuilder(base.resolve("/pay"))
                    .header("Idempotency-Key", "\"k-1\"")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));

            assertThat(withoutKey.statusCode()).isEqualTo(400);
            assertThat(withoutKey.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(retry.body()).isEqualTo(first.body());
        }
    }

    @Test
    void requestDecompressionInflatesUploadsUnderItsCap() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    requestDecompression: { maxInflated: 4KiB, maxRatio: 1000 }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> small = send(HttpRequest.newBuilder(base.resolve("/up"))
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(new byte[1000]))));
            HttpResponse<String> large = send(HttpRequest.newBuilder(base.resolve("/up"))
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(new byte[10_000]))));

            assertThat(small.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(small.body()).path("bodySha256").asText())
                    .as("the upstream got the inflated body")
                    .isEqualTo(sha256(new byte[1000]));
            assertThat(echoedHeaders(small).has("content-encoding")).isFalse();
            assertThat(large.statusCode()).isEqualTo(413);
        }
    }

    @Test
    void requestDecompressionCapsTheBodyAsSentAndTheCodingsStacked() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    requestDecompression: { maxWire: 2KiB, maxLayers: 1, maxRatio: 1000 }
                """)) {
            URI base = running.gateway.uri();
            byte[] random = new byte[8000];
            new java.util.Random(7).nextBytes(random); // incompressible: about 8 KB as sent
            HttpResponse<String> overWire = send(HttpRequest.newBuilder(base.resolve("/up"))
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(random))));
            HttpResponse<String> twoLayers = send(HttpRequest.newBuilder(base.resolve("/up"))
                    .header("Content-Encoding", "gzip, gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(gzip(new byte[100])))));
            HttpResponse<String> oneLayer = send(HttpRequest.newBuilder(base.resolve("/up"))
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(new byte[100]))));

            assertThat(overWire.statusCode()).isEqualTo(413);
            assertThat(twoLayers.statusCode()).as("two codings, one allowed").isEqualTo(415);
            assertThat(oneLayer.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aJwtClaimLongerThanMaxClaimLengthIsRefused() throws Exception {
        try (GatewayMain.Running running =
                start("""
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    maxClaimLength: 16
                    cacheTtl: 0s
                    issuers:
                      - issuer: https://idp.test
                        keys: [ { kid: k1, alg: HS256, secret: SECRET } ]
                routes:
                  - { path: /, upstreams: [builtin:echo], auth: required }
                """.replace("SECRET", Base64.getEncoder().encodeToString(HS256_SECRET)))) {
            URI base = running.gateway.uri();
            assertThat(status(base, hs256(null, "short-subject", ""))).isEqualTo(200);
            assertThat(status(base, hs256(null, "s".repeat(17), ""))).isEqualTo(401);
        }
    }

    @Test
    void authorizationCanBeStrippedAndIdentityHeadersRenamedOnEveryRoute() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                auth:
                  apiKeys:
                    - { sha256: %s, owner: tester, plan: free }
                  identityHeaders: { user: X-Auth-User, plan: X-Auth-Plan }
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                    auth: required
                    stripAuthorization: true
                  - path: /public
                    upstreams: [builtin:echo]
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> api = send(HttpRequest.newBuilder(base.resolve("/api/x"))
                    .header("X-Api-Key", KEY)
                    .header("Authorization", "Basic dXNlcjpwYXNz"));
            HttpResponse<String> open = send(HttpRequest.newBuilder(base.resolve("/public/x"))
                    .header("X-Auth-User", "admin")
                    .header("x_auth_plan", "enterprise")
                    .header("Authorization", "Basic dXNlcjpwYXNz"));

            assertThat(api.statusCode()).isEqualTo(200);
            assertThat(echoedHeaders(api).path("x-auth-user").asText()).isEqualTo("tester");
            assertThat(echoedHeaders(api).path("x-auth-plan").asText()).isEqualTo("free");
            assertThat(echoedHeaders(api).has("authorization")).isFalse();
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(echoedHeaders(open).has("x-auth-user")).isFalse();
            assertThat(echoedHeaders(open).has("x_auth_plan")).isFalse();
            assertThat(echoedHeaders(open).path("authorization").asText())
                    .as("only the route that says so strips it")
                    .isEqualTo("Basic dXNlcjpwYXNz");
        }
    }

    @Test
    void compressionTakesItsThresholdLevelTypesAndCodings() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    compression: { minSize: 2KiB, level: 9, codings: [deflate], types: [application/json] }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> large = send(
                    HttpRequest.newBuilder(base.resolve("/a?size=5000")).header("Accept-Encoding", "gzip, deflate"));
            HttpResponse<String> small = send(
                    HttpRequest.newBuilder(base.resolve("/a?size=1000")).header("Accept-Encoding", "gzip, deflate"));
            HttpResponse<String> text = send(HttpRequest.newBuilder(base.resolve("/a?size=5000&type=text/plain"))
                    .header("Accept-Encoding", "gzip, deflate"));

            assertThat(large.headers().firstValue("Content-Encoding")).hasValue("deflate");
            assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(text.headers().firstValue("Content-Encoding")).isEmpty();
        }
    }

    @Test
    void staticKeysOfEveryKindCarryKidsAndAlgorithms() throws Exception {
        byte[] secret = "a-48-byte-secret-for-hs384-0123456789abcdefghijk".getBytes(StandardCharsets.US_ASCII);
        KeyPair ec = Tokens.ecKeyPair("secp256r1");
        KeyPair ed = Tokens.edKeyPair("Ed25519");
        KeyPair rsa = Tokens.rsaKeyPair(2048);
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    issuers:
                      - issuer: https://hmac.test
                        keys:
                          - { kid: hmac-1, alg: HS384, secret: %s }
                      - issuer: https://idp.test
                        keys:
                          - { kid: ec-1, alg: ES256, publicKeyPem: "%s" }
                          - { alg: EdDSA, publicKeyPem: "%s" }
                      - issuer: https://pss.test
                        publicKeyPem: "%s"
                        alg: PS256
                        kid: rsa-1
                routes:
                  - { path: /, upstreams: [builtin:echo], auth: required }
                """.formatted(
                        Base64.getEncoder().encodeToString(secret),
                        oneLine(Tokens.pem(ec.getPublic())),
                        oneLine(Tokens.pem(ed.getPublic())),
                        oneLine(Tokens.pem(rsa.getPublic()))))) {
            URI base = running.gateway.uri();
            String claims = "{\"iss\":\"https://idp.test\",\"aud\":\"orders\",\"sub\":\"s\",\"exp\":"
                    + (System.currentTimeMillis() / 1000 + 600) + "}";

            String hmacClaims = claims.replace("https://idp.test", "https://hmac.test");
            assertThat(status(base, Tokens.hmac("HS384", secret, "{\"alg\":\"HS384\",\"kid\":\"hmac-1\"}", hmacClaims)))
                    .isEqualTo(200);
            assertThat(status(
                            base, Tokens.ec("ES256", ec.getPrivate(), "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", claims)))
                    .isEqualTo(200);
            assertThat(status(base, Tokens.eddsa(ed.getPrivate(), "{\"alg\":\"EdDSA\"}", claims)))
                    .isEqualTo(200);
            assertThat(status(
                            base,
                            Tokens.pss(
                                    rsa.getPrivate(),
                                    "{\"alg\":\"PS256\",\"kid\":\"rsa-1\"}",
                                    claims.replace("https://idp.test", "https://pss.test"))))
                    .isEqualTo(200);
            assertThat(status(base, Tokens.hmac("HS384", secret, "{\"alg\":\"HS384\",\"kid\":\"ec-1\"}", claims)))
                    .as("a kid pins the key and its algorithm: no HS384 with the EC key's kid")
                    .isEqualTo(401);
        }
    }

    /** The secret of the {@code k1} HS256 key that several tests give {@code https://idp.test}. */
    static final byte[] HS256_SECRET = "a-32-byte-secret-for-hs256-01234".getBytes(StandardCharsets.US_ASCII);

    /**
     * A token of {@code https://idp.test} for audience {@code orders}, signed with {@link #HS256_SECRET} as {@code
     * k1}, valid ten minutes: with {@code typ} when not null, and {@code moreClaims} ({@code ,"name":value…}).
     */
    static String hs256(@Nullable String typ, String subject, String moreClaims) {
        String header = "{\"alg\":\"HS256\",\"kid\":\"k1\"" + (typ == null ? "" : ",\"typ\":\"" + typ + "\"") + "}";
        String claims = "{\"iss\":\"https://idp.test\",\"aud\":\"orders\",\"sub\":\"" + subject + "\"" + moreClaims
                + ",\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + "}";
        return Tokens.hmac("HS256", HS256_SECRET, header, claims);
    }

    /** The status of {@code GET /x} with {@code token} as its bearer token. */
    static int status(URI base, String token) throws Exception {
        return send(HttpRequest.newBuilder(base.resolve("/x")).header("Authorization", "Bearer " + token))
                .statusCode();
    }

    private static String oneLine(String pem) {
        return pem.replace("\r", "").replace("\n", "\\n");
    }

    @Test
    void rateLimitsDenyRequestsWithoutTheirKeySendLegacyFieldsOrOnlyCount() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /deny
                    upstreams: [builtin:echo]
                    rateLimit: { key: "header:X-Tenant", perMinute: 5, missingKey: deny }
                  - path: /legacy
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 5, headers: legacy }
                  - path: /shadow
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 1, shadow: true }
                """)) {
            URI base = running.gateway.uri();

            assertThat(send(HttpRequest.newBuilder(base.resolve("/deny/a"))).statusCode())
                    .as("no X-Tenant")
                    .isEqualTo(403);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/deny/a")).header("X-Tenant", "acme"))
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> legacy = send(HttpRequest.newBuilder(base.resolve("/legacy/a")));
            assertThat(legacy.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
            assertThat(legacy.headers().firstValue("X-RateLimit-Remaining")).hasValue("4");
            assertThat(legacy.headers().firstValue("RateLimit-Policy")).isEmpty();
            for (int i = 0; i < 3; i++) {
                assertThat(send(HttpRequest.newBuilder(base.resolve("/shadow/a")))
                                .statusCode())
                        .as("request %d of a 1-per-minute limit in shadow mode", i + 1)
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void whatRequestsGetWhileTheStoreIsDownIsChosenPerRoute() throws Exception {
        RedisSupport.requireRedis(); // redis-server on the PATH
        try (RedisSupport.Process redis = new RedisSupport.Process()) {
            try (GatewayMain.Running running = start("""
                    listen: { port: 0 }
                    redis: URL
                    routes:
                      - path: /open
                        upstreams: [builtin:echo]
                        rateLimit: { perMinute: 100 }
                      - path: /closed
                        upstreams: [builtin:echo]
                        rateLimit: { perMinute: 100, onStoreFailure: closed, storeBreakerWindow: 30s }
                      - path: /pay
                        upstreams: [builtin:echo]
                        idempotency: true
                      - path: /pay-anyway
                        upstreams: [builtin:echo]
                        idempotency: { onStoreFailure: proceed }
                    """.replace("URL", redis.url()))) {
                URI base = running.gateway.uri();
                assertThat(send(HttpRequest.newBuilder(base.resolve("/closed/a")))
                                .statusCode())
                        .as("with the store up")
                        .isEqualTo(200);

                redis.kill();

                assertThat(send(HttpRequest.newBuilder(base.resolve("/open/a"))).statusCode())
                        .isEqualTo(200);
                assertThat(send(HttpRequest.newBuilder(base.resolve("/closed/a")))
                                .statusCode())
                        .isEqualTo(503);
                assertThat(pay(base, "/pay/a").statusCode()).isEqualTo(503);
                assertThat(pay(base, "/pay-anyway/a").statusCode()).isEqualTo(200);
            }
        }
    }

    static HttpResponse<String> pay(URI base, String path) throws Exception {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Idempotency-Key", "\"order-1\"")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    }

    @Test
    void jwtsCanBeHeldToAccessTokensWithTheirOwnPlanClaimAndApiKeysToTheirOwnField() throws Exception {
        try (GatewayMain.Running running =
                start("""
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    requireAccessTokenType: true
                    planClaim: tier
                    issuers:
                      - issuer: https://idp.test
                        keys: [ { kid: k1, alg: HS256, secret: SECRET } ]
                  apiKeyHeader: X-Key
                  apiKeys:
                    - { sha256: %s, owner: tester, plan: free }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    auth: required
                    rateLimit: { key: principal, perMinute: 1, plans: { gold: { perMinute: 100 } } }
                """.replace("SECRET", Base64.getEncoder().encodeToString(HS256_SECRET)))) {
            URI base = running.gateway.uri();
            String accessToken = hs256("at+jwt", "s", ",\"tier\":\"gold\"");
            String idToken = hs256("JWT", "s", ",\"tier\":\"gold\"");

            for (int i = 0; i < 3; i++) {
                assertThat(status(base, accessToken))
                        .as("request %d on the gold plan (tier claim)", i + 1)
                        .isEqualTo(200);
            }
            assertThat(status(base, idToken))
                    .as("typ JWT is not an access token")
                    .isEqualTo(401);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/x")).header("X-Key", KEY))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/x")).header("X-Api-Key", KEY))
                            .statusCode())
                    .as("the key in the default field")
                    .isEqualTo(401);
        }
    }

    @Test
    void badRateLimitIdempotencyAndAuthChoicesAreLocated() {
        for (String[] bad : new String[][] {
            {"rateLimit: { perMinute: 5, missingKey: maybe }", "missingKey maybe (expected: share or deny)"},
            {"rateLimit: { perMinute: 5, headers: v9 }", "headers v9 (expected: draft or legacy)"},
            {
                "rateLimit: { perMinute: 5, onStoreFailure: sometimes }",
                "onStoreFailure sometimes (expected: open, closed or local)"
            },
            {
                "rateLimit: { perMinute: 5, plans: { gold: { perMinute: 9, shadow: true } } }",
                "plans.gold: missingKey, headers"
            },
            {"idempotency: { onStoreFailure: 500 }", "onStoreFailure 500 (expected: 503 or proceed)"},
            {"idempotency: { lease: 0s }", "lease 0s (expected: more than 0"},
        }) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                            routes:
                              - path: /
                                upstreams: [builtin:echo]
                                %s
                            """.formatted(bad[0])))
                    .as(bad[0])
                    .hasMessageContaining("gateway.yaml line 4")
                    .hasMessageContaining(bad[1]);
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          apiKeyHeader: X-Key
                          jwt: { audiences: [a], issuers: [ { issuer: i, jwks: "https://i/jwks" } ] }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("apiKeyHeader X-Key without apiKeys");
        for (String[] bad : new String[][] {
            {"timeout: 0s", "timeout 0s (expected: more than 0)"},
            {"idempotency: { lease: 30s }", "idempotency.lease 30s (expected: longer than the route's timeout, 30s)"},
            {"timeout: 2m\n    idempotency: true", "idempotency.lease 1m (the default) (expected: longer"},
            {
                "timeout: 60s\n    webhook: { scheme: stripe, secrets: [whsec_abcdefghij], replayLease: 1s }",
                "webhook.replayLease 1s (expected: longer than the route's timeout, 60s)"
            },
        }) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                            routes:
                              - path: /
                                upstreams: [builtin:echo]
                                %s
                            """.formatted(bad[0])))
                    .as(bad[0])
                    .hasMessageStartingWith("gateway.yaml line")
                    .hasMessageContaining(bad[1]);
        }
    }

    @Test
    void valuesThatWouldLoadButNeverWorkAreLocatedErrors() {
        String route = """
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    %s
                """;
        for (String[] bad : new String[][] {
            {route.formatted("methods: [get]"), "method get (expected: upper case, e.g. GET)"},
            {route.replace("path: /", "path: /q?x=1").formatted(""), "(expected: a path, without a query or fragment)"},
            {route.formatted("scopes: [admin]"), "scopes [admin] without auth (expected: auth: required"},
            {
                route.formatted("headerTransforms: { request: { set: { X-Forwarded-For: 1.2.3.4 } } }"),
                "X-Forwarded-For (expected: none of X-Forwarded-*, Forwarded, Via: the gateway writes them)"
            },
            {
                "requestId: { header: Authorization }\n" + route.formatted(""),
                "headerName: Authorization (expected: a field of its own"
            },
            {
                """
                auth:
                  jwt: { audiences: [a], issuers: [ { issuer: i, jwks: "http://idp.example/jwks" } ] }
                """ + route.formatted(""),
                "jwks http://idp.example/jwks (expected: an https:// URL; http:// only on a loopback address)"
            },
        }) {
            assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", bad[0]))
                    .as(bad[0])
                    .hasMessageStartingWith("gateway.yaml line")
                    .hasMessageContaining(bad[1]);
        }
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNeverTheLastOneWins() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            auth: required
                            auth: none
                        """))
                .hasMessageStartingWith("gateway.yaml line 5")
                .hasMessageContaining("auth");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - { path: /a, upstreams: [builtin:echo] }
                        listen: { port: 0 }
                        routes:
                          - { path: /b, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line 4")
                .hasMessageContaining("routes");
    }

    @Test
    void theRequestIdTakesItsFieldAndLengthFromTheYaml() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                requestId: { header: X-Correlation-Id, maxLength: 16 }
                routes:
                  - { path: /, upstreams: [builtin:echo] }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> kept =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Correlation-Id", "abcdef0123456789"));
            HttpResponse<String> replaced =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("X-Correlation-Id", "abcdef0123456789X"));

            assertThat(kept.headers().firstValue("X-Correlation-Id")).hasValue("abcdef0123456789");
            assertThat(echoedHeaders(kept).path("x-correlation-id").asText()).isEqualTo("abcdef0123456789");
            assertThat(kept.headers().firstValue("X-Request-Id")).isEmpty();
            assertThat(replaced.headers().firstValue("X-Correlation-Id"))
                    .hasValueSatisfying(id -> assertThat(id).isNotEqualTo("abcdef0123456789X"));
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        requestId: { maxLength: 8 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line 1")
                .hasMessageContaining("maxLength: 8 (expected: 16..1024)");
    }

    @Test
    void compressionSkipsCredentialedRequestsAndTheTypesItIsToldTo() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /guarded
                    upstreams: [builtin:echo]
                    compression: { skipCredentialed: true }
                  - path: /plain-json
                    upstreams: [builtin:echo]
                    compression: { skipTypes: [application/json] }
                """)) {
            URI base = running.gateway.uri();

            assertThat(coding(base, "/guarded/a?size=4000", "Cookie", "session=s3cr3t"))
                    .isEmpty();
            assertThat(coding(base, "/guarded/a?size=4000", "Authorization", "Bearer x"))
                    .isEmpty();
            assertThat(coding(base, "/guarded/a?size=4000", "X-Other", "1")).hasValue("gzip");
            assertThat(coding(base, "/plain-json/a?size=4000", "X-Other", "1")).isEmpty();
        }
    }

    /** The Content-Encoding of a gzip-accepting GET with one extra field. */
    private static java.util.Optional<String> coding(URI base, String path, String name, String value)
            throws Exception {
        return send(HttpRequest.newBuilder(base.resolve(path))
                        .header("Accept-Encoding", "gzip")
                        .header(name, value))
                .headers()
                .firstValue("Content-Encoding");
    }

    @Test
    void credentialsInTheQueryOnlyWhenAllowedAndIdempotencyBodyLimits() throws Exception {
        try (GatewayMain.Running running =
                start("""
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    allowQueryParameter: true
                    issuers:
                      - issuer: https://idp.test
                        keys: [ { kid: k1, alg: HS256, secret: SECRET } ]
                  apiKeyQueryParameter: api_key
                  apiKeys:
                    - { sha256: %s, owner: tester, plan: free }
                routes:
                  - { path: /, upstreams: [builtin:echo], auth: required }
                  - path: /pay
                    upstreams: [builtin:echo]
                    idempotency: { maxBodySize: 64, maxStoredBodySize: 100 }
                """.replace("SECRET", Base64.getEncoder().encodeToString(HS256_SECRET)))) {
            URI base = running.gateway.uri();
            String token = hs256(null, "s", "");

            assertThat(send(HttpRequest.newBuilder(base.resolve("/x?access_token=" + token)))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/x?api_key=" + KEY)))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(base.resolve("/x?key=" + KEY)))
                            .statusCode())
                    .isEqualTo(401);
            HttpResponse<String> tooLarge = send(HttpRequest.newBuilder(base.resolve("/pay/a"))
                    .header("Idempotency-Key", "\"k-1\"")
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(65))));
            assertThat(tooLarge.statusCode()).as("a body over maxBodySize").isEqualTo(413);
            HttpRequest.Builder unrecordable = HttpRequest.newBuilder(base.resolve("/pay/b?size=500"))
                    .header("Idempotency-Key", "\"k-2\"")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"));
            assertThat(send(unrecordable).statusCode()).isEqualTo(200);
            assertThat(send(unrecordable).statusCode())
                    .as("a retry of an answer over maxStoredBodySize, which was not recorded")
                    .isEqualTo(409);
        }
    }

    @Test
    void aDailyQuotaIsAWindowOfItsOwnAndARedisPasswordNeverReachesAnError() throws Exception {
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 100, perDay: 2 }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> first = send(HttpRequest.newBuilder(base.resolve("/a")));
            send(HttpRequest.newBuilder(base.resolve("/a")));
            HttpResponse<String> third = send(HttpRequest.newBuilder(base.resolve("/a")));

            assertThat(first.headers().firstValue("RateLimit-Policy"))
                    .hasValue("\"minute\";q=100;w=60, \"day\";q=2;w=86400");
            assertThat(third.statusCode()).isEqualTo(429);
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        redis: http://gatehouse:hunter2@cache.internal:6379
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("redis http://***@cache.internal:6379 (expected:")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void badPolicyValuesAreLocated() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        trustedProxies: [10.0.0.0/33]
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            rateLimit: { key: tenant, perMinute: 5 }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining(
                        "key tenant (expected: address, principal, apiKey, route, plan or header:<Name>)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            compression: { level: 12 }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("level 12 (expected: 1..9)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            idempotency: { ttl: forever }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("duration forever");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            requestDecompression: { maxRatio: 0 }
                        """))
                .hasMessageContaining("maxRatio 0 (expected: 1 or more)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            rateLimit: { perMinute: 5, cost: 0 }
                        """))
                .hasMessageContaining("cost 0 (expected: 1 or more tokens per request)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          jwt:
                            audiences: [orders]
                            issuers:
                              - issuer: https://idp.test
                                keys:
                                  - { kid: k, alg: HS999, secret: c2VjcmV0 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("alg HS999 (expected: HS256, HS384, HS512, RS256");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          jwt:
                            audiences: [orders]
                            issuers:
                              - issuer: https://idp.test
                                keys:
                                  - { kid: k, alg: HS256, secret: c2VjcmV0 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .as("a secret shorter than the hash")
                .hasMessageContaining("gateway.yaml line");
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
