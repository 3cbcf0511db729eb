package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
import dev.gatehouse.redis.RedisHttpCacheStore;
import dev.gatehouse.testing.RedisSupport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two gateway instances from one YAML file, sharing their cached responses through one Redis. */
class GatewayRedisCacheTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** The Host both instances are reached by, as behind one load balancer; unique, so runs share no keys. */
    private final String host = "shop-" + UUID.randomUUID() + ".example";

    private final AtomicInteger calls = new AtomicInteger();
    private HttpServer backend;
    private GatewayMain.Running a;
    private GatewayMain.Running b;

    @BeforeEach
    void start() throws Exception {
        String redis = RedisSupport.requireRedis();
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", this::serve);
        backend.start();
        Path file = config("gateway.yaml", redis, "300ms");
        a = GatewayMain.start(file);
        b = GatewayMain.start(file);
    }

    /** One cached route to the backend, its responses in {@code redis} behind a local tier of {@code localTtl}. */
    private Path config(String name, String redis, String localTtl) throws IOException {
        return Files.writeString(dir.resolve(name), """
                redis: %s
                cache: { store: redis, localTtl: %s }
                listen: { port: 0 }
                admin: { port: 0 }
                routes:
                  - path: /
                    upstreams: [http://127.0.0.1:%d]
                    cache: true
                """.formatted(
                        redis, localTtl, backend.getAddress().getPort()));
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (backend != null) { // null when Redis is absent and the test was skipped before it started
            backend.stop(0);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        byte[] body = ("call " + calls.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Cache-Control", "max-age=60");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** A response read off a raw socket: its status, header fields (lower-case names) and body. */
    private record Raw(int status, Map<String, String> headers, String body) {}

    /** {@code GET path} to {@code instance} with this test's Host, over a socket of its own. */
    private Raw get(GatewayMain.Running instance, String path) throws IOException {
        URI gateway = instance.gateway.uri();
        try (Socket socket = new Socket(gateway.getHost(), gateway.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n\r\n");
            String[] lines = response.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            return new Raw(Integer.parseInt(lines[0].split(" ")[1]), headers, response.substring(end + 4));
        }
    }

    @Test
    void theRedisStoreTakesItsKeyPrefixAndLargestEntryFromTheYaml() throws Exception {
        String redis = RedisSupport.requireRedis();
        String prefix = "t-" + UUID.randomUUID() + ":";
        Path file = Files.writeString(dir.resolve("prefixed.yaml"), """
                redis: %s
                cache: { store: redis, localTtl: 0s, keyPrefix: "%s", maxEntrySize: 4KiB, keepStale: 10m }
                listen: { port: 0 }
                routes:
                  - path: /
                    upstreams: [http://127.0.0.1:%d]
                    cache: true
                """.formatted(
                        redis, prefix, backend.getAddress().getPort()));
        Path tiny = Files.writeString(
                dir.resolve("tiny.yaml"),
                Files.readString(file)
                        .replace("maxEntrySize: 4KiB", "maxEntrySize: 16")
                        .replace(prefix, prefix + "tiny:"));
        try (GatewayMain.Running prefixed = GatewayMain.start(file);
                GatewayMain.Running small = GatewayMain.start(tiny)) {
            get(prefixed, "/items/7");
            Raw hit = get(prefixed, "/items/7");
            get(small, "/items/8");
            Raw tooLarge = get(small, "/items/8");

            assertThat(hit.headers().get("cache-status")).startsWith("gatehouse; hit");
            assertThat(RedisSupport.run("redis-cli", "-u", redis, "--scan", "--pattern", prefix + "*"))
                    .as("keys under the configured prefix")
                    .contains(prefix);
            assertThat(tooLarge.headers().get("cache-status"))
                    .as("a response over maxEntrySize is never stored")
                    .startsWith("gatehouse; fwd=uri-miss");
        }
    }

    @Test
    void aResponseFetchedThroughOneInstanceIsAHitOnTheOther() throws Exception {
        Raw throughA = get(a, "/items/1");
        Raw throughB = get(b, "/items/1");

        assertThat(calls).hasValue(1);
        assertThat(throughA.headers().get("cache-status"))
                .startsWith("gatehouse; fwd=uri-miss; fwd-status=200; stored");
        assertThat(throughB.status()).isEqualTo(200);
        assertThat(throughB.body()).isEqualTo("call 1");
        assertThat(throughB.headers().get("cache-status")).startsWith("gatehouse; hit; ttl=");
        assertThat(throughB.headers()).containsKey("age");
    }

    @Test
    void aPurgeOnOneInstanceReachesTheOtherOnceItsLocalCopyExpires() throws Exception {
        get(a, "/items/1");
        assertThat(get(b, "/items/1").headers().get("cache-status")).startsWith("gatehouse; hit");

        HttpResponse<String> purged = CLIENT.send(
                HttpRequest.newBuilder(a.admin.uri().resolve("/admin/cache/purge?prefix=http://" + host + "/items/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        Raw afterPurge = get(b, "/items/1");

        assertThat(purged.body()).isEqualTo("{\"purged\":1}");
        assertThat(afterPurge.headers().get("cache-status")).startsWith("gatehouse; fwd=uri-miss");
        assertThat(afterPurge.body()).isEqualTo("call 2");
    }

    @Test
    void theAdminStatusAndMetricsSayTheCacheIsInRedisAndUp() throws Exception {
        HttpResponse<String> status = CLIENT.send(
                HttpRequest.newBuilder(b.admin.uri().resolve("/admin/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> metrics = CLIENT.send(
                HttpRequest.newBuilder(b.admin.uri().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

        JsonNode cache =
                new ObjectMapper().readTree(status.body()).path("stores").path("cache");
        assertThat(cache.path("kind").asText()).isEqualTo("redis");
        assertThat(cache.path("down").asBoolean()).isFalse();
        assertThat(metrics.body()).contains("gatehouse_cache_store_down{policy=\"cache\"} 0.0");
    }

    @Test
    void aReloadKeepsTheCacheStoreUntilTheTopLevelCacheChangesAndClosingTheFactoryClosesIt() throws Exception {
        String redis = RedisSupport.requireRedis();
        String routes = "routes:\n  - path: /\n    upstreams: [builtin:echo]\n    cache: true\n";
        GatewayConfig local = GatewayConfigLoader.parse("local.yaml", routes);
        GatewayConfig shared = GatewayConfigLoader.parse(
                "redis.yaml", "redis: " + redis + "\ncache: { store: redis, localTtl: 1s }\n" + routes);
        GatewayFactory factory = new GatewayFactory(null);
        try {
            factory.build(local);
            HttpCacheStore inMemory = factory.cacheStore();
            factory.build(local);
            assertThat(factory.cacheStore()).isSameAs(inMemory);
            GatewayConfig failing = GatewayConfigLoader.parse(
                    "failing.yaml",
                    "redis: " + redis + "\ncache: { store: redis }\n" + routes + "    auth: required\n");
            assertThatThrownBy(() -> factory.build(failing)).hasMessageContaining("no credentials");
            assertThat(factory.cacheStore())
                    .as("a reload that fails keeps the running store")
                    .isSameAs(inMemory);

            factory.build(shared);
            HttpCacheStore tiered = factory.cacheStore();
            factory.build(shared);

            assertThat(inMemory).isInstanceOf(InMemoryHttpCacheStore.class);
            assertThat(tiered).isInstanceOf(TieredHttpCacheStore.class);
            assertThat(factory.cacheStore()).isSameAs(tiered);
            assertThat(factory.storeStatus().get("cache")).isEqualTo(Map.of("kind", "redis", "down", false));
        } finally {
            factory.close();
        }
        HttpCacheStore redisTier = ((TieredHttpCacheStore) factory.cacheStore()).shared();
        assertThat(redisTier.variants("http://" + host + "/anything"))
                .as("closed: a miss")
                .isEmpty();
        assertThat(((RedisHttpCacheStore) redisTier).down())
                .as("closed, so its calls fail")
                .isTrue();
    }

    @Test
    void aDeadRedisLeavesTheUpstreamAnsweringAndTheStatusSaysTheCacheIsDown() throws Exception {
        try (RedisSupport.Process own = new RedisSupport.Process()) {
            Path file = config("own.yaml", own.url(), "0s");
            try (GatewayMain.Running gateway = GatewayMain.start(file)) {
                get(gateway, "/items/1");
                assertThat(get(gateway, "/items/1").headers().get("cache-status"))
                        .startsWith("gatehouse; hit");

                own.kill();
                Raw whileDown = get(gateway, "/items/1");
                Raw again = get(gateway, "/items/1");
                HttpResponse<String> status = CLIENT.send(
                        HttpRequest.newBuilder(gateway.admin.uri().resolve("/admin/status"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(whileDown.status()).isEqualTo(200);
                assertThat(whileDown.body()).isEqualTo("call 2");
                assertThat(whileDown.headers().get("cache-status"))
                        .startsWith("gatehouse; fwd=uri-miss; fwd-status=200");
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.body()).isEqualTo("call 3");
                assertThat(new ObjectMapper()
                                .readTree(status.body())
                                .path("stores")
                                .path("cache")
                                .path("down")
                                .asBoolean())
                        .isTrue();
            }
        }
    }
}
