package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.testing.Tokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS, IP rules, security headers and header transforms from the gateway's YAML, through a running gateway. */
class GatewayYamlEdgePoliciesTest {
    static final byte[] SECRET = "a-32-byte-secret-for-hs256-tests!".getBytes(StandardCharsets.US_ASCII);
    static final String YAML = """
            listen: { port: 0 }
            trustedProxies: [127.0.0.1/32]
            auth:
              jwt:
                audiences: [orders]
                issuers:
                  - issuer: https://idp.test
                    keys:
                      - { kid: k1, alg: HS256, secret: %s }
            securityHeaders:
              referrerPolicy: same-origin
            ipRules:
              deny: [203.0.113.0/24]
            routes:
              - path: /api
                upstreams: [builtin:echo]
                auth: required
                cors:
                  allowOrigins: [https://app.example.com]
                  allowMethods: [GET, POST]
                  allowHeaders: [Authorization, Content-Type]
                  allowCredentials: true
                  maxAge: 10m
                headerTransforms:
                  request:
                    set: { X-Caller: "{principal.subject}" }
                    remove: [Cookie]
                  response:
                    add: { X-Served-By: gatehouse }
            """;

    @TempDir
    Path dir;

    private GatewayMain.Running running;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        String secret = Base64.getEncoder().encodeToString(SECRET);
        running = GatewayMain.start(Files.writeString(dir.resolve("gateway.yaml"), YAML.formatted(secret)));
        base = running.gateway.uri();
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    private static String token(String subject) {
        long now = System.currentTimeMillis() / 1000;
        return Tokens.hmac(
                "HS256",
                SECRET,
                "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                "{\"iss\":\"https://idp.test\",\"aud\":\"orders\",\"sub\":\"" + subject + "\",\"exp\":" + (now + 300)
                        + "}");
    }

    @Test
    void aPreflightOnAJwtRouteIs204WithTheCorsFieldsAndNoToken() throws Exception {
        HttpResponse<String> preflight =
                GatewayYamlPoliciesTest.send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://app.example.com")
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization, content-type"));

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://app.example.com");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
                .hasValue("GET, POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValue("authorization, content-type");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials"))
                .hasValue("true");
        assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
    }

    @Test
    void aClientInADeniedNetworkIs403ProblemJson() throws Exception {
        HttpResponse<String> denied = GatewayYamlPoliciesTest.send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                .header("X-Forwarded-For", "203.0.113.9")
                .header("Authorization", "Bearer " + token("alice")));

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(GatewayYamlPoliciesTest.JSON
                        .readTree(denied.body())
                        .path("status")
                        .asInt())
                .isEqualTo(403);
        assertThat(denied.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(denied.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void aTraceRefusedByTheGatewayCarriesTheRoutesSecurityHeaders() throws Exception {
        HttpResponse<String> refused = GatewayYamlPoliciesTest.send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                .method("TRACE", HttpRequest.BodyPublishers.noBody()));

        assertThat(refused.statusCode()).isEqualTo(405);
        assertThat(refused.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(refused.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(refused.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void responsesCarryTheSecurityHeadersAndTheServiceGetsTheTransformedHeaders() throws Exception {
        HttpResponse<String> response = GatewayYamlPoliciesTest.send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                .header("X-Forwarded-For", "198.51.100.7")
                .header("Authorization", "Bearer " + token("alice"))
                .header("X-Caller", "mallory")
                .header("Cookie", "session=1"));
        JsonNode seen = GatewayYamlPoliciesTest.JSON.readTree(response.body()).path("headers");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(response.headers().firstValue("Strict-Transport-Security"))
                .as("HSTS only over HTTPS")
                .isEmpty();
        assertThat(response.headers().firstValue("X-Served-By")).hasValue("gatehouse");
        assertThat(seen.path("x-caller").asText()).isEqualTo("alice");
        assertThat(seen.has("cookie")).isFalse();
    }

    @Test
    void behindATrustedTlsTerminatingProxyHstsIsSentAndTheServiceIsToldHttps() throws Exception {
        HttpResponse<String> response = GatewayYamlPoliciesTest.send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                .header("X-Forwarded-Proto", "https")
                .header("Authorization", "Bearer " + token("alice")));
        JsonNode seen = GatewayYamlPoliciesTest.JSON.readTree(response.body()).path("headers");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(seen.path("x-forwarded-proto").asText()).isEqualTo("https");
        assertThat(seen.path("forwarded").asText()).endsWith(";proto=https");
    }

    @Test
    void anUntrustedClientsForwardedProtoGetsNoHstsAndIsNotPassedOn() throws Exception {
        String secret = Base64.getEncoder().encodeToString(SECRET);
        String untrusted = YAML.formatted(secret).replace("trustedProxies: [127.0.0.1/32]\n", "");
        try (GatewayMain.Running direct = GatewayMain.start(Files.writeString(dir.resolve("direct.yaml"), untrusted))) {
            HttpResponse<String> response = GatewayYamlPoliciesTest.send(
                    HttpRequest.newBuilder(direct.gateway.uri().resolve("/api/orders"))
                            .header("X-Forwarded-Proto", "https")
                            .header("Forwarded", "for=192.0.2.1;proto=https")
                            .header("Authorization", "Bearer " + token("alice")));
            JsonNode seen =
                    GatewayYamlPoliciesTest.JSON.readTree(response.body()).path("headers");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Strict-Transport-Security"))
                    .isEmpty();
            assertThat(seen.path("x-forwarded-proto").asText()).isEqualTo("http");
        }
    }

    @Test
    void aRefusalOfAuthenticationCarriesSecurityHeadersToo() throws Exception {
        HttpResponse<String> refused =
                GatewayYamlPoliciesTest.send(HttpRequest.newBuilder(base.resolve("/api/orders")));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(refused.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; frame-ancestors 'none'");
    }

    /** What loading {@code yaml} as {@code gateway.yaml} fails with. */
    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String yaml) {
        return assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", yaml))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class);
    }

    @Test
    void badEdgeValuesAreLocated() {
        loading("""
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            cors: { allowOrigins: ["*"], allowCredentials: true }
                        """)
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("routes[0].cors:")
                .hasMessageContaining("allowCredentials");
        loading("""
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            securityHeaders: { frameOptions: ALLOWALL }
                        """)
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining(
                        "routes[0].securityHeaders: frameOptions: ALLOWALL (expected: DENY or SAMEORIGIN)");
        loading("""
                        ipRules:
                          allow: [10.0.0.0/33]
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """)
                .hasMessageContaining("gateway.yaml line 3")
                .hasMessageContaining("ipRules: network: 10.0.0.0/33 (expected: a prefix of 0..32)");
        loading("""
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            headerTransforms:
                              request:
                                set: { X-User-Id: admin }
                        """)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("routes[0].headerTransforms")
                .hasMessageContaining("X-User-Id: set admin (expected: an identity header only set from");
        loading("""
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            securityHeaders: { hsts: { maxAge: 1h, preload: true } }
                        """).hasMessageContaining("routes[0].securityHeaders.hsts: preload: true (expected: includeSubDomains");
        loading("""
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            cors: { allowOrigin: [https://a.example] }
                        """).hasMessageContaining("unknown key allowOrigin");
    }
}
