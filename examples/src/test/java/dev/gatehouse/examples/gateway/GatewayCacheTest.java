package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.testing.Race;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cached route of the gateway's YAML, end to end, in front of a backend that counts its calls. */
class GatewayCacheTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final String TEXT = "a cacheable line of text\n".repeat(200);

    @TempDir
    Path dir;

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<com.sun.net.httpserver.Headers> refreshHeaders =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch refreshMayAnswer = new java.util.concurrent.CountDownLatch(1);
    private HttpServer backend;
    private GatewayMain.Running running;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        backend.createContext("/", this::serve);
        backend.start();
        Path file = Files.writeString(
                dir.resolve("gateway.yaml"), """
                listen: { port: 0 }
                admin: { port: 0 }
                routes:
                  - path: /
                    upstreams: [http://127.0.0.1:%d]
                    compression: true
                    cache: { maxBodySize: 64KiB, collapseTimeout: 5s }
                """.formatted(backend.getAddress().getPort()));
        running = GatewayMain.start(file);
        base = running.gateway.uri();
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
        backend.stop(0);
    }

    /** The backend: what each path answers, counting calls per path. */
    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int call = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "text/plain");
        String body = "call " + call + "\n" + TEXT;
        int status = 200;
        if (exchange.getRequestMethod().equals("POST")) {
            status = 201;
            headers.set("Location", "/items/2");
        } else if (path.startsWith("/slow")) {
            sleep(300);
            headers.set("Cache-Control", "max-age=60");
        } else if (path.startsWith("/private")) {
            headers.set("Cache-Control", "private, max-age=60");
        } else if (path.startsWith("/shared")) {
            headers.set("Cache-Control", "public, max-age=60");
        } else if (path.startsWith("/vary")) {
            headers.set("Cache-Control", "max-age=60");
            headers.set("Vary", "Accept-Language");
            body = "call " + call + " for " + exchange.getRequestHeaders().getFirst("Accept-Language");
        } else if (path.startsWith("/swr")) {
            // The refreshed response stays fresh: a Date of whole seconds could make max-age=1 stale on arrival.
            headers.set(
                    "Cache-Control",
                    call == 1 ? "max-age=1, stale-while-revalidate=60" : "max-age=60, stale-while-revalidate=60");
            refreshHeaders.add(exchange.getRequestHeaders());
            if (call > 1) {
                await(refreshMayAnswer);
            }
        } else if (path.startsWith("/sie")) {
            headers.set("Cache-Control", "max-age=0, stale-if-error=60");
            status = call == 1 ? 200 : 503;
        } else if (path.startsWith("/etag")) {
            headers.set("ETag", "\"v1\"");
            boolean matches = "\"v1\"".equals(exchange.getRequestHeaders().getFirst("If-None-Match"));
            headers.set("Cache-Control", matches ? "max-age=60" : "max-age=0");
            status = matches ? 304 : 200;
        } else {
            headers.set("Cache-Control", "max-age=60");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, status == 304 ? -1 : bytes.length);
        if (status != 304) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private int calls(String path) {
        return calls.getOrDefault(path, new AtomicInteger()).get();
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static String cacheStatus(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Cache-Status").orElse("");
    }

    @Test
    void aFreshResponseIsServedWithoutTheBackendWithAgeAndCacheStatus() throws Exception {
        HttpResponse<byte[]> miss = get("/items/1");
        HttpResponse<byte[]> hit = get("/items/1");

        assertThat(calls("/items/1")).isEqualTo(1);
        assertThat(cacheStatus(miss)).startsWith("gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=");
        assertThat(cacheStatus(hit)).startsWith("gatehouse; hit; ttl=");
        assertThat(hit.headers().firstValue("Age")).isPresent();
        assertThat(hit.headers().allValues("Date"))
                .as("the stored response's Date, not a second one")
                .hasSize(1);
        assertThat(text(hit)).isEqualTo(text(miss));
    }

    @Test
    void overHttp2EachAuthorityHasItsOwnCacheKey() throws Exception {
        if (!dev.gatehouse.testing.Tools.runs("curl", "--version")) {
            if (System.getenv("GATEHOUSE_REQUIRE_TOOLS") != null) {
                throw new AssertionError("curl is missing; GATEHOUSE_REQUIRE_TOOLS is set");
            }
            org.junit.jupiter.api.Assumptions.abort("needs curl");
        }
        String poisoned = h2CacheStatus("evil.attacker.example");
        String other = h2CacheStatus("shop.example");
        String again = h2CacheStatus("shop.example");

        assertThat(poisoned).startsWith("gatehouse; fwd=uri-miss");
        assertThat(other).as("another :authority, another key").startsWith("gatehouse; fwd=uri-miss");
        assertThat(again).startsWith("gatehouse; hit");
        assertThat(calls("/h2/authority")).isEqualTo(2);
    }

    /** The Cache-Status of an HTTP/2 (prior knowledge) GET of /h2/authority with {@code authority}. */
    private String h2CacheStatus(String authority) throws Exception {
        Process curl = new ProcessBuilder(
                        "curl",
                        "-s",
                        "--http2-prior-knowledge",
                        "-o",
                        "/dev/null",
                        "-D",
                        "-",
                        "-H",
                        "Host: " + authority,
                        base.resolve("/h2/authority").toString())
                .redirectErrorStream(true)
                .start();
        String head = new String(curl.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(curl.waitFor()).as(head).isZero();
        assertThat(head).startsWith("HTTP/2 200");
        return head.lines()
                .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("cache-status:"))
                .map(line -> line.substring("cache-status:".length()).trim())
                .findFirst()
                .orElse("");
    }

    @Test
    void eachClientGetsItsOwnCodingOfTheStoredBody() throws Exception {
        HttpResponse<byte[]> gzipMiss = get("/items/z", "Accept-Encoding", "gzip");
        HttpResponse<byte[]> identityHit = get("/items/z");
        HttpResponse<byte[]> gzipHit = get("/items/z", "Accept-Encoding", "gzip");

        assertThat(calls("/items/z")).isEqualTo(1);
        assertThat(gzipMiss.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(identityHit.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(text(identityHit)).isEqualTo("call 1\n" + TEXT);
        assertThat(gzipHit.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gunzip(gzipHit.body())).isEqualTo("call 1\n" + TEXT);
    }

    @Test
    void varyKeepsOneResponsePerNormalizedLanguage() throws Exception {
        HttpResponse<byte[]> english = get("/vary", "Accept-Language", "en, fr;q=0.5");
        HttpResponse<byte[]> german = get("/vary", "Accept-Language", "de");
        HttpResponse<byte[]> englishAgain = get("/vary", "Accept-Language", "EN,fr ; q=0.5");

        assertThat(calls("/vary")).isEqualTo(2);
        assertThat(cacheStatus(german)).startsWith("gatehouse; fwd=vary-miss");
        assertThat(text(englishAgain)).isEqualTo(text(english));
        assertThat(text(german)).isEqualTo("call 2 for de");
    }

    @Test
    void privateResponsesAndAuthorizedRequestsAreNotSharedUnlessPublic() throws Exception {
        get("/private");
        HttpResponse<byte[]> privateAgain = get("/private");
        get("/items/auth", "Authorization", "Bearer one");
        HttpResponse<byte[]> otherUser = get("/items/auth", "Authorization", "Bearer two");
        get("/shared", "Authorization", "Bearer one");
        HttpResponse<byte[]> sharedHit = get("/shared", "Authorization", "Bearer two");

        assertThat(calls("/private")).isEqualTo(2);
        assertThat(cacheStatus(privateAgain)).endsWith("detail=private");
        assertThat(calls("/items/auth")).isEqualTo(2);
        assertThat(text(otherUser)).startsWith("call 2");
        assertThat(calls("/shared")).isEqualTo(1);
        assertThat(cacheStatus(sharedHit)).startsWith("gatehouse; hit");
    }

    @Test
    void aNotModifiedFromTheBackendRefreshesTheStoredResponse() throws Exception {
        HttpResponse<byte[]> first = get("/etag");
        HttpResponse<byte[]> revalidated = get("/etag", "If-None-Match", "\"v1\"");
        HttpResponse<byte[]> hit = get("/etag");
        HttpResponse<byte[]> notModified = get("/etag", "If-None-Match", "\"v1\"");

        assertThat(calls("/etag")).isEqualTo(2);
        assertThat(revalidated.statusCode()).isEqualTo(304);
        assertThat(revalidated.headers().firstValue("Content-Length"))
                .as("a 304 declares no length it does not know")
                .isEmpty();
        assertThat(cacheStatus(revalidated)).isEqualTo("gatehouse; fwd=stale; fwd-status=304; stored");
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(text(hit)).isEqualTo(text(first));
        assertThat(cacheStatus(hit)).startsWith("gatehouse; hit");
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
    }

    @Test
    void anUnconditionalRequestForAStaleResponseIsValidatedAndAnsweredWhole() throws Exception {
        HttpResponse<byte[]> first = get("/etag");
        HttpResponse<byte[]> validated = get("/etag", "Accept-Encoding", "gzip");

        assertThat(calls("/etag")).isEqualTo(2);
        assertThat(validated.statusCode()).isEqualTo(200);
        assertThat(validated.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(new String(
                        new GZIPInputStream(new ByteArrayInputStream(validated.body())).readAllBytes(),
                        StandardCharsets.UTF_8))
                .isEqualTo(text(first));
        assertThat(cacheStatus(validated)).isEqualTo("gatehouse; fwd=stale; fwd-status=304; stored");
    }

    @Test
    void withinStaleIfErrorTheBackends503AndAnUnreachableBackendAreAnsweredFromTheStore() throws Exception {
        HttpResponse<byte[]> first = get("/sie");
        HttpResponse<byte[]> overBackendError = get("/sie");
        backend.stop(0);
        HttpResponse<byte[]> overGatewayError = get("/sie");

        assertThat(calls("/sie")).isEqualTo(2);
        assertThat(overBackendError.statusCode()).isEqualTo(200);
        assertThat(text(overBackendError)).isEqualTo(text(first));
        assertThat(cacheStatus(overBackendError))
                .isEqualTo("gatehouse; fwd=stale; fwd-status=503; detail=stale-if-error");
        assertThat(overGatewayError.statusCode()).isEqualTo(200);
        assertThat(text(overGatewayError)).isEqualTo(text(first));
        assertThat(cacheStatus(overGatewayError))
                .isEqualTo("gatehouse; fwd=stale; fwd-status=502; detail=stale-if-error");
    }

    @Test
    void withinStaleWhileRevalidateClientsGetTheStaleResponseAtOnceWhileTheGatewayRefreshesIt() throws Exception {
        HttpResponse<byte[]> first = get("/swr?page=1", "X-Client", "c1");
        sleep(1_100);
        HttpResponse<byte[]> stale = get("/swr?page=1", "X-Client", "c1");
        HttpResponse<byte[]> alsoStale = get("/swr?page=1");

        assertThat(text(stale)).isEqualTo(text(first));
        assertThat(cacheStatus(stale)).startsWith("gatehouse; hit; ttl=-");
        assertThat(text(alsoStale)).isEqualTo(text(first));
        awaitCalls("/swr", 2);
        refreshMayAnswer.countDown();
        HttpResponse<byte[]> refreshed = awaitBody("/swr?page=1", "call 2");

        assertThat(calls("/swr")).as("one refresh, in the background").isEqualTo(2);
        assertThat(cacheStatus(refreshed)).startsWith("gatehouse; hit; ttl=");
        assertThat(refreshHeaders.get(1).getFirst("X-Client")).isEqualTo("c1");
        assertThat(refreshHeaders.get(1).getFirst("Cache-Control")).isEqualTo("no-cache");
        assertThat(refreshHeaders.get(1).get("X-Request-Id"))
                .as("the refresh is an exchange of its own, not a copy of the client's")
                .hasSize(1)
                .doesNotContain(stale.headers().firstValue("X-Request-Id").orElseThrow());
    }

    private void awaitCalls(String path, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (calls(path) < count && System.nanoTime() < deadline) {
            sleep(20);
        }
        assertThat(calls(path)).isEqualTo(count);
    }

    private HttpResponse<byte[]> awaitBody(String path, String prefix) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<byte[]> response = get(path);
        while (!text(response).startsWith(prefix) && System.nanoTime() < deadline) {
            sleep(20);
            response = get(path);
        }
        assertThat(text(response)).startsWith(prefix);
        return response;
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void concurrentMissesMakeOneBackendRequest() throws Exception {
        List<HttpResponse<byte[]>> responses = Race.of(10, i -> () -> get("/slow"));

        assertThat(calls("/slow")).isEqualTo(1);
        assertThat(responses).allSatisfy(response -> assertThat(text(response)).startsWith("call 1\n"));
        assertThat(responses)
                .anySatisfy(response -> assertThat(cacheStatus(response)).contains("collapsed"));
    }

    @Test
    void aSuccessfulPostInvalidatesItsUriAndItsLocation() throws Exception {
        get("/items/2");
        get("/items");
        HttpResponse<byte[]> post = CLIENT.send(
                HttpRequest.newBuilder(base.resolve("/items"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> item = get("/items/2");
        get("/items");

        assertThat(post.statusCode()).isEqualTo(201);
        assertThat(cacheStatus(post)).isEqualTo("gatehouse; fwd=method; fwd-status=201");
        assertThat(text(item)).startsWith("call 2");
        assertThat(calls("/items")).isEqualTo(3);
    }

    @Test
    void theAdminPortPurgesByKeyAndByPrefix() throws Exception {
        get("/items/a");
        get("/items/b");
        get("/other");
        URI admin = running.admin.uri();
        String origin = "http://" + base.getHost() + ":" + base.getPort();

        HttpResponse<String> byKey = purge(admin, "key=" + origin + "/other");
        HttpResponse<String> byPrefix = purge(admin, "prefix=" + origin + "/items/");
        get("/items/a");
        get("/items/b");
        get("/other");

        assertThat(byKey.statusCode()).isEqualTo(200);
        assertThat(byKey.body()).isEqualTo("{\"purged\":1}");
        assertThat(byPrefix.body()).isEqualTo("{\"purged\":2}");
        assertThat(calls("/items/a") + calls("/items/b") + calls("/other")).isEqualTo(6);
    }

    @Test
    void aPurgeFromAWebPageIsRefusedAndPurgesNothing() throws Exception {
        get("/items/a");
        URI admin = running.admin.uri();
        String origin = "http://" + base.getHost() + ":" + base.getPort();

        HttpResponse<String> fromPage = CLIENT.send(
                HttpRequest.newBuilder(admin.resolve("/admin/cache/purge?prefix=" + origin + "/"))
                        .header("Origin", "https://evil.example")
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        get("/items/a");

        assertThat(fromPage.statusCode()).isEqualTo(403);
        assertThat(fromPage.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(calls("/items/a")).as("still served from the cache").isEqualTo(1);
    }

    @Test
    void aPurgeWithoutExactlyOneKeyOrPrefixOrNotPostedIsAProblem() throws Exception {
        URI admin = running.admin.uri();
        HttpResponse<String> neither = purge(admin, "");
        HttpResponse<String> both = purge(admin, "key=a&prefix=b");
        HttpResponse<String> got = CLIENT.send(
                HttpRequest.newBuilder(admin.resolve("/admin/cache/purge?prefix=x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(neither.statusCode()).isEqualTo(400);
        assertThat(neither.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(got.statusCode()).isEqualTo(405);
        assertThat(got.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void badCacheValuesAreLocatedErrors() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            cache: { maxBodySize: lots }
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("size lots (expected: e.g. 1000, 512KiB, 10MiB)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            cache: { collapseTimeout: soon }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("duration soon (expected: e.g. 500ms, 10s, 2m, 1h)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                            cache: { ttl: 5s }
                        """))
                .hasMessageContaining("gateway.yaml line 4")
                .hasMessageContaining("unknown key ttl");
    }

    @Test
    void badTopLevelCacheValuesAreLocatedErrors() {
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        cache: { store: memcached }
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageContaining("gateway.yaml line 1")
                .hasMessageContaining("cache: store memcached (expected: local or redis)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        cache: { store: redis, localTtl: briefly }
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                        """))
                .hasMessageContaining("gateway.yaml line 1")
                .hasMessageContaining("duration briefly (expected: e.g. 500ms, 10s, 2m, 1h)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        cache: { maxSize: huge }
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                        """))
                .hasMessageContaining("gateway.yaml line 1")
                .hasMessageContaining("size huge (expected: e.g. 1000, 512KiB, 10MiB)");
        assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", """
                        cache: { store: redis }
                        routes:
                          - path: /api
                            upstreams: [http://127.0.0.1:9000]
                        """))
                .hasMessageContaining("cache store redis but no redis URL (expected: redis: redis://host:port)");
    }

    private static HttpResponse<String> purge(URI admin, String query) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(admin.resolve("/admin/cache/purge" + (query.isEmpty() ? "" : "?" + query)))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
