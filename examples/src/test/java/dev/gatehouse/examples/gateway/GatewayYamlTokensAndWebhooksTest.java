package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.testing.Tokens;
import dev.gatehouse.testing.WebhookSigners;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opaque-token introspection and webhook signatures from the gateway's YAML, through a running gateway: a real
 * local introspection endpoint that counts its calls, and webhooks signed by the {@code standardwebhooks} npm
 * package and a node:crypto Stripe signer ({@code core/src/test/node}; skipped without node unless {@code
 * GATEHOUSE_REQUIRE_TOOLS} is set).
 */
class GatewayYamlTokensAndWebhooksTest {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String STRIPE_SECRET = "whsec_stripe_test_secret_0123456789";

    @TempDir
    Path dir;

    private GatewayMain.Running start(String yaml) throws Exception {
        return GatewayMain.start(Files.writeString(dir.resolve("gateway.yaml"), yaml));
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void opaqueTokensAreIntrospectedOnceAndAnEndpointThatIsDownIsA503() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer introspection = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        introspection.createContext("/introspect", exchange -> {
            calls.incrementAndGet();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII);
            boolean known = form.startsWith("token=good-opaque-token&")
                    && "Basic Z2F0ZXdheTpzM2NyZXQ="
                            .equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (known
                            ? "{\"active\":true,\"sub\":\"alice\",\"scope\":\"orders:read\",\"org\":\"acme\","
                                    + "\"tier\":\"gold\",\"exp\":"
                                    + (System.currentTimeMillis() / 1000 + 3600) + "}"
                            : "{\"active\":false}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        introspection.start();
        String endpoint = "http://127.0.0.1:" + introspection.getAddress().getPort() + "/introspect";
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                auth:
                  introspection:
                    endpoint: %s
                    clientId: gateway
                    clientSecret: s3cret
                    timeout: 500ms
                    tenantMember: org
                    planMember: tier
                    maxTokenLength: 32
                    cacheSize: 100
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    auth: required
                    scopes: [orders:read]
                """.formatted(endpoint))) {
            URI base = running.gateway.uri();
            HttpRequest.Builder good =
                    HttpRequest.newBuilder(base.resolve("/a")).header("Authorization", "Bearer good-opaque-token");

            HttpResponse<String> first = send(good);
            HttpResponse<String> second = send(good);
            HttpResponse<String> unknown =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("Authorization", "Bearer forged-token"));
            HttpResponse<String> tooLong = send(
                    HttpRequest.newBuilder(base.resolve("/a")).header("Authorization", "Bearer " + "t".repeat(33)));
            introspection.stop(0);
            HttpResponse<String> down =
                    send(HttpRequest.newBuilder(base.resolve("/a")).header("Authorization", "Bearer other-token"));
            HttpResponse<String> cached = send(good);

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(first.body())
                            .path("headers")
                            .path("x-user-id")
                            .asText())
                    .isEqualTo("alice");
            assertThat(JSON.readTree(first.body())
                            .path("headers")
                            .path("x-tenant-id")
                            .asText())
                    .as("the tenant from the answer's org member")
                    .isEqualTo("acme");
            assertThat(JSON.readTree(first.body())
                            .path("headers")
                            .path("x-plan")
                            .asText())
                    .isEqualTo("gold");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(unknown.statusCode()).isEqualTo(401);
            assertThat(unknown.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(challenge -> assertThat(challenge).contains("error=\"invalid_token\""));
            assertThat(tooLong.statusCode()).isEqualTo(401);
            assertThat(calls)
                    .as("a token over maxTokenLength is refused without a call")
                    .hasValue(2);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(down.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(cached.statusCode())
                    .as("a pass is remembered while the endpoint is down")
                    .isEqualTo(200);
        } finally {
            introspection.stop(0);
        }
    }

    @Test
    void signedWebhooksReachTheServiceUnchangedAndReplaysTamperingAndLargeBodiesAreRefused() throws Exception {
        WebhookSigners.require();
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                routes:
                  - path: /hooks/standard
                    upstreams: [builtin:echo]
                    webhook:
                      scheme: standard-webhooks
                      secrets: [%s, whsec_QWxsIHRoZSBvbGQgc2lnbmluZyBrZXkh]
                      maxBodySize: 1KiB
                      replayLease: 2m
                  - path: /hooks/stripe
                    upstreams: [builtin:echo]
                    webhook: { scheme: stripe, secrets: [%s], tolerance: 2m }
                """.formatted(SECRET, STRIPE_SECRET))) {
            URI base = running.gateway.uri();
            byte[] body = "{\"type\":\"invoice.paid\",\"amount\":4200}".getBytes(StandardCharsets.UTF_8);
            long now = System.currentTimeMillis() / 1000;
            String signature = WebhookSigners.standard(SECRET, "msg_gateway_1", now, body);
            HttpRequest.Builder webhook = HttpRequest.newBuilder(base.resolve("/hooks/standard"))
                    .header("webhook-id", "msg_gateway_1")
                    .header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));

            HttpResponse<String> delivered = send(webhook);
            HttpResponse<String> replayed = send(webhook);
            HttpResponse<String> tampered = send(HttpRequest.newBuilder(base.resolve("/hooks/standard"))
                    .header("webhook-id", "msg_gateway_2")
                    .header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            byte[] large = new byte[2048];
            HttpResponse<String> tooLarge = send(HttpRequest.newBuilder(base.resolve("/hooks/standard"))
                    .header("webhook-id", "msg_gateway_3")
                    .header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", WebhookSigners.standard(SECRET, "msg_gateway_3", now, large))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(large)));
            HttpResponse<String> stripe = send(HttpRequest.newBuilder(base.resolve("/hooks/stripe"))
                    .header("Stripe-Signature", WebhookSigners.stripe(STRIPE_SECRET, now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

            assertThat(delivered.statusCode()).isEqualTo(200);
            JsonNode echo = JSON.readTree(delivered.body());
            assertThat(echo.path("bodySha256").asText())
                    .isEqualTo(HexFormat.of().formatHex(Digests.sha256().digest(body)));
            assertThat(replayed.statusCode()).isEqualTo(409);
            assertThat(replayed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(tampered.statusCode()).isEqualTo(401);
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(stripe.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aJwksLargerThanJwksMaxSizeYieldsNoKeys() throws Exception {
        KeyPair rsa = Tokens.rsaKeyPair(2048);
        java.security.interfaces.RSAPublicKey key = (java.security.interfaces.RSAPublicKey) rsa.getPublic();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                + Tokens.b64(Tokens.unsigned(key.getModulus(), 256)) + "\",\"e\":\""
                + Tokens.b64(key.getPublicExponent().toByteArray()) + "\"}]}";
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/", exchange -> {
            // the same keys; /padded after 2 KiB of insignificant white space
            byte[] body = ((exchange.getRequestURI().getPath().equals("/padded") ? " ".repeat(2048) : "") + jwks)
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        idp.start();
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    issuers:
                      - { issuer: https://small.test, jwks: "http://127.0.0.1:%1$d/plain", jwksMaxSize: 1KiB }
                      - { issuer: https://large.test, jwks: "http://127.0.0.1:%1$d/padded", jwksMaxSize: 1KiB }
                routes:
                  - { path: /, upstreams: [builtin:echo], auth: required }
                """.formatted(idp.getAddress().getPort()))) {
            URI base = running.gateway.uri();
            String header = "{\"alg\":\"RS256\",\"kid\":\"k1\"}";
            long exp = System.currentTimeMillis() / 1000 + 600;
            String small = Tokens.rsa(
                    "RS256",
                    rsa.getPrivate(),
                    header,
                    "{\"iss\":\"https://small.test\",\"aud\":\"orders\",\"sub\":\"s\",\"exp\":" + exp + "}");
            String large = Tokens.rsa(
                    "RS256",
                    rsa.getPrivate(),
                    header,
                    "{\"iss\":\"https://large.test\",\"aud\":\"orders\",\"sub\":\"s\",\"exp\":" + exp + "}");

            assertThat(GatewayYamlPoliciesTest.status(base, small)).isEqualTo(200);
            assertThat(GatewayYamlPoliciesTest.status(base, large))
                    .as("the set past jwksMaxSize is not read, so its key is unknown")
                    .isEqualTo(401);
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void aJwksIssuerFetchesAgainForUnknownKeyIdsAsOftenAsJwksMinRefetchAllows() throws Exception {
        KeyPair rsa = Tokens.rsaKeyPair(2048);
        java.security.interfaces.RSAPublicKey key = (java.security.interfaces.RSAPublicKey) rsa.getPublic();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                + Tokens.b64(Tokens.unsigned(key.getModulus(), 256)) + "\",\"e\":\""
                + Tokens.b64(key.getPublicExponent().toByteArray()) + "\"}]}";
        AtomicInteger fetches = new AtomicInteger();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks.getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        idp.start();
        try (GatewayMain.Running running = start("""
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    issuers:
                      - issuer: https://idp.test
                        jwks: http://127.0.0.1:%d/jwks
                        jwksTimeout: 2s
                        jwksRefresh: 1h
                        jwksMinRefetch: 0s
                routes:
                  - { path: /, upstreams: [builtin:echo], auth: required }
                """.formatted(idp.getAddress().getPort()))) {
            URI base = running.gateway.uri();
            String claims = "{\"iss\":\"https://idp.test\",\"aud\":\"orders\",\"sub\":\"s\",\"exp\":"
                    + (System.currentTimeMillis() / 1000 + 600) + "}";
            String known = Tokens.rsa("RS256", rsa.getPrivate(), "{\"alg\":\"RS256\",\"kid\":\"k1\"}", claims);

            assertThat(GatewayYamlPoliciesTest.status(base, known)).isEqualTo(200);
            int afterFirst = fetches.get();
            for (String kid : List.of("rotated-1", "rotated-2")) {
                String unknown =
                        Tokens.rsa("RS256", rsa.getPrivate(), "{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}", claims);
                assertThat(GatewayYamlPoliciesTest.status(base, unknown))
                        .as(kid)
                        .isEqualTo(401);
            }

            assertThat(afterFirst).isEqualTo(1);
            assertThat(fetches)
                    .as("each unknown kid fetched the set again (the default would allow one in 10s)")
                    .hasValue(3);
        } finally {
            idp.stop(0);
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          jwt:
                            audiences: [a]
                            issuers: [ { issuer: i, jwks: "https://i/jwks", jwksMaxSize: 100 } ]
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("jwksMaxSize 100 (expected: 1KiB..16MiB)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          jwt:
                            audiences: [a]
                            issuers: [ { issuer: i, jwks: "https://i/jwks", jwksRefresh: 100ms } ]
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("jwksRefresh 100ms (expected: at least 1s)");
    }

    @Test
    void badIntrospectionAndWebhookValuesAreLocated() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            webhook: { scheme: github, secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw] }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("scheme github (expected: standard-webhooks or stripe)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            webhook: { scheme: standard-webhooks, secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw], tolerance: 0s }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("tolerance");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            webhook: { scheme: standard-webhooks, secrets: [not-base64!] }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("expected: whsec_ followed by base64");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          introspection: { endpoint: "https://as.example/introspect", clientId: gw, clientSecret: s, onFailure: 200 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("gateway.yaml line 2")
                .hasMessageContaining("onFailure 200 (expected: 503 or 401)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          introspection: { endpoint: "https://as.example/introspect" }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("gateway.yaml line 2")
                .hasMessageContaining("client authentication");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          introspection: { endpoint: "https://as.example/introspect", bearerToken: t, timeout: 5 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("gateway.yaml line 2")
                .hasMessageContaining("duration 5");
    }
}
