package dev.gatehouse.examples.gateway;

import static dev.gatehouse.examples.gateway.GatewayYamlPoliciesTest.HS256_SECRET;
import static dev.gatehouse.examples.gateway.GatewayYamlPoliciesTest.echoedHeaders;
import static dev.gatehouse.examples.gateway.GatewayYamlPoliciesTest.hs256;
import static dev.gatehouse.examples.gateway.GatewayYamlPoliciesTest.pay;
import static dev.gatehouse.examples.gateway.GatewayYamlPoliciesTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.RedisSupport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the YAML says about the stores behind rate limits and idempotency (their place, prefixes, sizes and timeouts),
 * windows of any length, and the JWT claims header templates read.
 */
class GatewayYamlStoresAndWindowsTest {
    @TempDir
    Path dir;

    private GatewayMain.Running start(String name, String yaml) throws Exception {
        return GatewayMain.start(Files.writeString(dir.resolve(name), yaml));
    }

    @Test
    void twoInstancesOnARedisClusterShareBucketsAndRecordsUnderTheirOwnPrefixes() throws Exception {
        RedisSupport.requireRedis(); // redis-server and redis-cli on the PATH
        try (RedisSupport.Cluster cluster = new RedisSupport.Cluster()) {
            String yaml = """
                    listen: { port: 0 }
                    redis: URL
                    rateLimitStore: { store: redis, keyPrefix: "edge:rl:", commandTimeout: 500ms }
                    idempotencyStore: { store: redis, keyPrefix: "edge:idem:", commandTimeout: 500ms }
                    routes:
                      - path: /
                        upstreams: [builtin:echo]
                        rateLimit: { key: route, perMinute: 3 }
                        idempotency: true
                    """.replace("URL", cluster.url());
            try (GatewayMain.Running first = start("a.yaml", yaml);
                    GatewayMain.Running second = start("b.yaml", yaml)) {
                URI a = first.gateway.uri();
                URI b = second.gateway.uri();
                HttpResponse<String> paid = pay(a, "/pay");
                HttpResponse<String> retried = pay(b, "/pay");
                int third = send(HttpRequest.newBuilder(a.resolve("/x"))).statusCode();
                int fourth = send(HttpRequest.newBuilder(b.resolve("/x"))).statusCode();

                assertThat(paid.statusCode()).isEqualTo(200);
                assertThat(retried.statusCode()).isEqualTo(200);
                assertThat(retried.headers().firstValue("Idempotent-Replayed"))
                        .as("the other instance replays the answer it finds in the cluster")
                        .hasValue("true");
                assertThat(retried.body()).isEqualTo(paid.body());
                assertThat(third).isEqualTo(200);
                assertThat(fourth)
                        .as("three requests a minute across both instances")
                        .isEqualTo(429);
                String keys = RedisSupport.run(
                        "redis-cli", "--cluster", "call", cluster.url().split("[/,]")[2], "KEYS", "*");
                assertThat(keys).contains("edge:rl:").contains("edge:idem:").doesNotContain("gatehouse:");
            }
        }
    }

    @Test
    void inMemoryStoresKeepAtMostTheirMaxKeys() throws Exception {
        try (GatewayMain.Running running = start("gateway.yaml", """
                listen: { port: 0 }
                rateLimitStore: { store: memory, maxKeys: 1, idleTimeout: 2h }
                idempotencyStore: { store: memory, maxKeys: 1, maxSize: 1MiB }
                routes:
                  - path: /limited
                    upstreams: [builtin:echo]
                    rateLimit: { key: "header:X-Client", perMinute: 1 }
                  - path: /pay
                    upstreams: [builtin:echo]
                    idempotency: true
                """)) {
            URI base = running.gateway.uri();
            assertThat(limited(base, "a")).isEqualTo(200);
            assertThat(limited(base, "a")).isEqualTo(429);
            assertThat(limited(base, "b")).isEqualTo(200);
            int againA = limited(base, "a");
            int againB = limited(base, "b");
            assertThat(againA == 200 || againB == 200)
                    .as("one bucket is kept, so one of the two clients starts afresh (got %s and %s)", againA, againB)
                    .isTrue();

            assertThat(payAs(base, "k1").headers().firstValue("Idempotent-Replayed"))
                    .isEmpty();
            assertThat(payAs(base, "k2").headers().firstValue("Idempotent-Replayed"))
                    .isEmpty();
            boolean k1Replayed = payAs(base, "k1")
                    .headers()
                    .firstValue("Idempotent-Replayed")
                    .isPresent();
            boolean k2Replayed = payAs(base, "k2")
                    .headers()
                    .firstValue("Idempotent-Replayed")
                    .isPresent();
            assertThat(k1Replayed && k2Replayed)
                    .as("one record is kept, so one of the two retries runs again")
                    .isFalse();
        }
    }

    private static int limited(URI base, String client) throws Exception {
        return send(HttpRequest.newBuilder(base.resolve("/limited")).header("X-Client", client))
                .statusCode();
    }

    private static HttpResponse<String> payAs(URI base, String key) throws Exception {
        return send(HttpRequest.newBuilder(base.resolve("/pay"))
                .header("Idempotency-Key", "\"" + key + "\"")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    }

    @Test
    void aStoreBreakerWindowSparesAFailedIdempotencyStore() throws Exception {
        RedisSupport.requireRedis();
        try (RedisSupport.Process redis = new RedisSupport.Process()) {
            try (GatewayMain.Running running = start("gateway.yaml", """
                    listen: { port: 0 }
                    admin: { port: 0 }
                    redis: URL
                    routes:
                      - path: /spared
                        upstreams: [builtin:echo]
                        idempotency: { onStoreFailure: proceed, storeBreakerWindow: 1m }
                      - path: /tried
                        upstreams: [builtin:echo]
                        idempotency: { onStoreFailure: proceed }
                    """.replace("URL", redis.url()))) {
                URI base = running.gateway.uri();
                redis.kill();
                for (int i = 0; i < 3; i++) {
                    assertThat(pay(base, "/spared/a").statusCode()).isEqualTo(200);
                    assertThat(pay(base, "/tried/a").statusCode()).isEqualTo(200);
                }
                String metrics = send(HttpRequest.newBuilder(running.admin.uri().resolve("/metrics")))
                        .body();

                assertThat(failures(metrics, "/spared"))
                        .as("tried once, then left alone")
                        .isEqualTo(1);
                assertThat(failures(metrics, "/tried"))
                        .as("tried by every request")
                        .isEqualTo(3);
            }
        }
    }

    /** The idempotency store failures counted for the route whose description starts with {@code path}. */
    private static double failures(String metrics, String path) {
        Matcher found = Pattern.compile("gatehouse_idempotency_store_failures_total\\{policy=\"" + Pattern.quote(path)
                        + "[^}]*} (\\S+)")
                .matcher(metrics);
        assertThat(found.find())
                .as("a failure counter for %s in%n%s", path, metrics)
                .isTrue();
        return Double.parseDouble(found.group(1));
    }

    @Test
    void windowsOfAnyLengthAreNamedInTheRateLimitFields() throws Exception {
        try (GatewayMain.Running running = start("gateway.yaml", """
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    rateLimit:
                      perMinute: 100
                      windows:
                        - { limit: 2, per: 10s }
                        - { limit: 50, per: 15m, name: quarter }
                """)) {
            URI base = running.gateway.uri();
            HttpResponse<String> first = send(HttpRequest.newBuilder(base.resolve("/a")));
            send(HttpRequest.newBuilder(base.resolve("/a")));
            HttpResponse<String> third = send(HttpRequest.newBuilder(base.resolve("/a")));

            assertThat(first.headers().firstValue("RateLimit-Policy"))
                    .hasValue("\"minute\";q=100;w=60, \"10s\";q=2;w=10, \"quarter\";q=50;w=900");
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("RateLimit"))
                    .hasValueSatisfying(value -> assertThat(value).contains("\"10s\";r=0;t="));
        }
    }

    @Test
    void everyRouteCountsInBucketsOfItsOwn() throws Exception {
        try (GatewayMain.Running running = start("gateway.yaml", """
                listen: { port: 0 }
                routes:
                  - { path: /tight, upstreams: [builtin:echo], rateLimit: { perMinute: 3 } }
                  - { path: /loose, upstreams: [builtin:echo], rateLimit: { perHour: 100 } }
                  - { path: /twin, upstreams: [builtin:echo], rateLimit: { perHour: 100 } }
                  - { path: /api, host: a.example, upstreams: [builtin:echo], rateLimit: { perMinute: 1 } }
                  - { path: /api, host: b.example, upstreams: [builtin:echo], rateLimit: { perMinute: 1 } }
                """)) {
            URI base = running.gateway.uri();
            for (int i = 0; i < 3; i++) {
                send(HttpRequest.newBuilder(base.resolve("/loose")));
            }
            List<Integer> tight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tight.add(send(HttpRequest.newBuilder(base.resolve("/tight"))).statusCode());
            }
            HttpResponse<String> twin = send(HttpRequest.newBuilder(base.resolve("/twin")));
            int hostA = hostStatus(running.gateway.uri(), "a.example");
            int hostB = hostStatus(running.gateway.uri(), "b.example");

            assertThat(tight).containsExactly(200, 200, 200, 429);
            assertThat(twin.headers().firstValue("RateLimit"))
                    .as("the same limits on another route")
                    .hasValue("\"hour\";r=99;t=36");
            assertThat(List.of(hostA, hostB)).as("the same path on two hosts").containsExactly(200, 200);
        }
    }

    /** The status of {@code GET /api} for host {@code host}, on a raw socket (the JDK client sets its own Host). */
    private static int hostStatus(URI gateway, String host) throws Exception {
        String response = GatewayHostileInputTest.exchange(
                gateway, "GET /api HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void headerTemplatesReadJwtClaimsThatNoIdentityHeaderNames() throws Exception {
        try (GatewayMain.Running running =
                start("gateway.yaml", """
                listen: { port: 0 }
                auth:
                  jwt:
                    audiences: [orders]
                    issuers:
                      - issuer: https://idp.test
                        keys: [ { kid: k1, alg: HS256, secret: SECRET } ]
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    auth: required
                    headerTransforms:
                      request:
                        set: { X-Caller-Email: "{claim.email}", X-Caller: "{principal.subject} in {claim.org}" }
                """.replace("SECRET", Base64.getEncoder().encodeToString(HS256_SECRET)))) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(
                            running.gateway.uri().resolve("/x"))
                    .header(
                            "Authorization",
                            "Bearer " + hs256(null, "alice", ",\"email\":\"alice@example.com\",\"org\":\"acme\"")));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(echoedHeaders(response).path("x-caller-email").asText()).isEqualTo("alice@example.com");
            assertThat(echoedHeaders(response).path("x-caller").asText()).isEqualTo("alice in acme");
        }
    }

    @Test
    void theCacheIsNamedInCacheStatusAndCompressionKeepsItsPoolSize() throws Exception {
        try (GatewayMain.Running running = start("gateway.yaml", """
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [builtin:echo]
                    cache: { name: edge }
                    compression: { poolSize: 2, minSize: 16 }
                """)) {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            running.gateway.uri().resolve("/c?header=Cache-Control:max-age%3D60"))
                    .header("Accept-Encoding", "gzip");
            HttpResponse<String> miss = send(request);
            HttpResponse<String> hit = send(request);

            assertThat(miss.headers().firstValue("Cache-Status"))
                    .hasValueSatisfying(status -> assertThat(status).startsWith("edge; fwd=uri-miss"));
            assertThat(hit.headers().firstValue("Cache-Status"))
                    .hasValueSatisfying(status -> assertThat(status).startsWith("edge; hit"));
            assertThat(hit.headers().firstValue("Content-Encoding")).hasValue("gzip");
        }
    }

    @Test
    void theClientFieldsRemovedOnEveryRouteAreConfigurable() throws Exception {
        try (GatewayMain.Running running = start("gateway.yaml", """
                listen: { port: 0 }
                stripClientHeaders: ["X-Internal-*", X-Debug]
                routes:
                  - { path: /, upstreams: [builtin:echo] }
                """)) {
            HttpResponse<String> response =
                    send(HttpRequest.newBuilder(running.gateway.uri().resolve("/a"))
                            .header("X-Auth-Token", "openstack-style")
                            .header("X-Internal-Role", "admin")
                            .header("x_debug", "1"));

            assertThat(echoedHeaders(response).path("x-auth-token").asText())
                    .as("not in the configured list")
                    .isEqualTo("openstack-style");
            assertThat(echoedHeaders(response).has("x-internal-role")).isFalse();
            assertThat(echoedHeaders(response).has("x_debug")).isFalse();
        }
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        stripClientHeaders: ["*"]
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("pattern * (expected: a field name, or a prefix ending in *");
    }

    @Test
    void aDeclaredBodyOverTheIdempotencyLimitIs413BeforeAnyOfItIsRead() throws Exception {
        try (GatewayMain.Running running = start("gateway.yaml", """
                listen: { port: 0 }
                routes:
                  - { path: /, upstreams: [builtin:echo], idempotency: { maxBodySize: 1KiB } }
                """)) {
            java.net.URI base = running.gateway.uri();
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", base.getPort())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream()
                        .write(
                                ("POST /pay HTTP/1.1\r\nHost: gw\r\nIdempotency-Key: \"k\"\r\nContent-Length: 5000000\r\n"
                                                + "Expect: 100-continue\r\n\r\n")
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String head =
                        new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);

                assertThat(head).as("no 100 Continue first, and no body sent").isEqualTo("HTTP/1.1 413");
            }
        }
    }

    @Test
    void badStoreAndWindowValuesAreLocated() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        rateLimitStore: { store: redis }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("rateLimitStore redis but no redis URL");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        rateLimitStore:
                          store: memory
                          keyPrefix: "x:"
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageStartingWith("gateway.yaml line")
                .hasMessageContaining("keyPrefix and commandTimeout go with store: redis");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        rateLimitStore: { store: postgres, maxKeys: 5 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("maxKeys and idleTimeout go with store: memory (expected: none with postgres)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        rateLimitStore: { store: postgres, url: "jdbc:mysql://db/x?password=hunter2" }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("url jdbc:mysql://db/x?password=*** (expected: jdbc:postgresql://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        redis: redis://127.0.0.1:6379
                        idempotencyStore: { store: redis, commandTimeout: 1ms }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("commandTimeout 1ms (expected: 10ms..10s)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        idempotencyStore: { store: memory, maxKeys: 0 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("maxKeys 0 (expected: 1 or more, with store: memory)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            rateLimit:
                              windows:
                                - { limit: 5, per: 1500ms }
                        """))
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("per 1500ms (expected: whole seconds, 1s or more)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            rateLimit:
                              perSecond: 1
                              windows: [ { limit: 5, per: 10s, name: second } ]
                        """))
                .hasMessageContaining("window second twice");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            cache: { name: "edge cache" }
                        """))
                .hasMessageContaining("name edge cache (expected: a token");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            idempotency: { storeBreakerWindow: 0s }
                        """))
                .hasMessageContaining("storeBreakerWindow 0s (expected: more than 0)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /
                            upstreams: [builtin:echo]
                            compression: { poolSize: 0 }
                        """))
                .hasMessageContaining("poolSize 0 (expected: 1..4096)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /hooks
                            upstreams: [builtin:echo]
                            webhook: { scheme: stripe, secrets: [whsec_endpoint_secret_0123456789], replayLease: 2h }
                        """))
                .hasMessageContaining("replayLease 2h (expected: 1s..1h)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        auth:
                          introspection: { endpoint: "https://as.example/i", bearerToken: t, maxTokenLength: 8 }
                        routes:
                          - { path: /, upstreams: [builtin:echo] }
                        """))
                .hasMessageContaining("maxTokenLength 8 (expected: 16..65536)");
    }
}
