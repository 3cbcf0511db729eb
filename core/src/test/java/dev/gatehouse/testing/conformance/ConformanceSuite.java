package dev.gatehouse.testing.conformance;

import static dev.gatehouse.testing.conformance.ConformancePolicies.ALLOWED_ORIGIN;
import static dev.gatehouse.testing.conformance.ConformancePolicies.BODY_DIGEST;
import static dev.gatehouse.testing.conformance.ConformancePolicies.BODY_LIMIT;
import static dev.gatehouse.testing.conformance.ConformancePolicies.REFUSED_BY;
import static dev.gatehouse.testing.conformance.ConformancePolicies.REJECT_TRIGGER;
import static dev.gatehouse.testing.conformance.ConformancePolicies.SET_VALUE;
import static dev.gatehouse.testing.conformance.ConformancePolicies.STAMP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.Problem;
import dev.gatehouse.RouteTable;
import dev.gatehouse.cache.HttpCachePolicy;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.compression.RequestDecompressionPolicy;
import dev.gatehouse.headers.HeaderTransformPolicy;
import dev.gatehouse.headers.SecurityHeadersPolicy;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ipfilter.IpFilterPolicy;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.TestCertificates;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every host of a policy chain must show a real HTTP client. Extend it with a {@link
 * ConformanceHost}; the same cases then run against that host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceSuite {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String CALLER = "X-Caller";

    private final ConformanceService service = new ConformanceService();
    private final ConformancePolicies.CompletionRecorder completions = new ConformancePolicies.CompletionRecorder();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private ConformanceHost host;
    private URI base;

    /** The host under test. */
    protected abstract ConformanceHost host();

    @BeforeAll
    void startHost() throws Exception {
        RequestIdPolicy requestIds = RequestIdPolicy.ofDefaults();
        ConformancePolicies.Stamp stamp = new ConformancePolicies.Stamp();
        ConformancePolicies.Reject reject = new ConformancePolicies.Reject();
        ConformancePolicies.SetHeader setHeader = new ConformancePolicies.SetHeader();
        CompressionPolicy gzip = CompressionPolicy.builder().minSize(0).build();
        RouteTable routes = RouteTable.builder()
                .route(
                        "POST",
                        "/echo",
                        PolicyChain.of(
                                requestIds,
                                completions,
                                stamp,
                                reject,
                                setHeader,
                                RequestDecompressionPolicy.builder()
                                        .maxInflatedBytes(256 * 1024)
                                        .maxRatio(10_000)
                                        .build(),
                                new ConformancePolicies.BodyDigest(),
                                gzip,
                                IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                                        .build()))
                .route(
                        "GET",
                        "/echo",
                        PolicyChain.of(
                                requestIds,
                                completions,
                                stamp,
                                reject,
                                ConformancePolicies.optionalJwt(),
                                ConformancePolicies.cors(),
                                setHeader,
                                HeaderTransformPolicy.builder()
                                        .setRequestHeader(CALLER, "{principal.subject}")
                                        .addRequestHeader("X-Route", "{route}")
                                        .build(),
                                gzip))
                // A preflight carries no token: CORS answers it, though written after the required JWT.
                .route(
                        "OPTIONS",
                        "/echo",
                        PolicyChain.of(
                                requestIds, completions, ConformancePolicies.requiredJwt(), ConformancePolicies.cors()))
                // The suite's clients are on loopback: the IP rules refuse them, before the one-token limit.
                .route(
                        "DELETE",
                        "/echo",
                        PolicyChain.of(
                                requestIds,
                                completions,
                                RateLimitPolicy.builder()
                                        .limits(Limit.of("minute", 1, Duration.ofMinutes(1)))
                                        .key(RateLimitKey.of(exchange -> java.util.Optional.of("everyone")))
                                        .build(),
                                IpFilterPolicy.denying("127.0.0.0/8", "::1")))
                // Cached: stored only when the query asks for a Cache-Control that allows it.
                .route(
                        "GET",
                        "/text",
                        PolicyChain.of(
                                requestIds,
                                SecurityHeadersPolicy.ofDefaults(),
                                completions,
                                stamp,
                                reject,
                                setHeader,
                                gzip,
                                HttpCachePolicy.of(InMemoryHttpCacheStore.of(8 * 1024 * 1024))))
                .otherwise(PolicyChain.of(
                        requestIds, SecurityHeadersPolicy.ofDefaults(), completions, stamp, reject, setHeader, gzip))
                .build();
        host = host();
        base = host.start(routes, service);
    }

    @AfterAll
    void stopHost() throws Exception {
        host.stop();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static List<String> echoed(HttpResponse<byte[]> response, String key) {
        return text(response)
                .lines()
                .filter(line -> line.startsWith(key + "="))
                .map(line -> line.substring(key.length() + 1))
                .toList();
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    /** Waits for the exchange's completion, then checks that no second one follows. */
    private List<Integer> completionsOf(String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!completions.statuses.containsKey(requestId) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        return completions.statuses.getOrDefault(requestId, List.of());
    }

    @Test
    void aProceedHeaderReachesTheResourceAndReplacesClientCopiesInAnyLetterCase() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .header("x-gatehouse-test", "spoofed")
                .header("X-GATEHOUSE-TEST", "spoofed-again")
                .header("Accept", "text/plain"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echoed(response, "header:x-gatehouse-test")).containsExactly(SET_VALUE);
        assertThat(echoed(response, "header:accept")).containsExactly("text/plain");
    }

    @Test
    void aValidTokenReachesTheResourceAsIdentityHeaders() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .header("Authorization", "Bearer " + ConformancePolicies.validToken("user-42"))
                .header("X-User-Id", "admin")
                .header("x-scopes", "admin:*"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echoed(response, "header:x-user-id")).containsExactly("user-42");
        assertThat(echoed(response, "header:x-scopes")).containsExactly("orders:read");
    }

    @Test
    void spoofedIdentityHeadersNeverReachTheResource() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .header("X-User-Id", "admin")
                .header("x-USER-id", "admin")
                .header("X_User_Id", "admin")
                .header("X-Tenant-Id", "other-tenant")
                .header("X-Plan", "enterprise"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text(response))
                .doesNotContain("header:x-user-id")
                .doesNotContain("header:x_user_id")
                .doesNotContain("header:x-tenant-id")
                .doesNotContain("header:x-plan")
                .doesNotContain("admin");
    }

    @Test
    void spoofedIdentityHeadersNeverReachTheResourceOnARouteWithoutAuthentication() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Idempotency-Key", "\"hygiene-" + System.nanoTime() + "\"")
                .header("X-User-Id", "admin")
                .header("x_scopes", "admin:*")
                .header("X-TENANT-ID", "other-tenant"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text(response))
                .contains("method=POST")
                .doesNotContain("admin")
                .doesNotContain("other-tenant");
    }

    @Test
    void spoofedIdentityHeadersNeverReachTheResourceThroughTheDefaultChain() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .header("X-User-Id", "admin")
                .header("X_Plan", "enterprise"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text(response))
                .contains("method=PUT")
                .contains("header:x-gatehouse-test=" + SET_VALUE)
                .doesNotContain("admin")
                .doesNotContain("enterprise");
    }

    @Test
    void anInvalidTokenIs401WithABearerChallengeAndTheResourceIsNeverCalled() throws Exception {
        int before = service.executions();
        String token = ConformancePolicies.validToken("user-42");

        HttpResponse<byte[]> response = send(request("/echo").header("Authorization", "Bearer " + token + "x"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue(
                        "Bearer error=\"invalid_token\", error_description=\"The access token signature is invalid.\"");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(service.executions()).isEqualTo(before);
    }

    @Test
    void aRefusalGetsItsStatusHeadersAndProblemBodyAndTheResourceIsNeverCalled() throws Exception {
        int before = service.executions();

        HttpResponse<byte[]> response = send(request("/echo").header(REJECT_TRIGGER, "yes"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue(REFUSED_BY)).hasValue("reject");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(text(response))
                .contains("\"status\":403")
                .contains("\"detail\":\"Refused by the conformance suite.\"");
        assertThat(service.executions()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"/text, 200", "/no-such-thing, 404", "/error, 409", "/redirect, 302", "/async, 200", "/stream, 200"})
    void responseHooksSeeNormalErrorAndRedirectResponses(String path, int status) throws Exception {
        HttpResponse<byte[]> response = send(request(path));

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().allValues(STAMP)).containsExactly(Integer.toString(status));
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void responseHooksSeeRefusalsOfInnerPolicies() throws Exception {
        HttpResponse<byte[]> response = send(request("/text").header(REJECT_TRIGGER, "yes"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().allValues(STAMP)).containsExactly("403");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aRedirectKeepsItsLocation() throws Exception {
        HttpResponse<byte[]> response = send(request("/redirect"));

        assertThat(response.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/text"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/text?size=20000", "/text?size=10", "/stream", "/async"})
    void aBodyTransformAppliesToPlainStreamedAndAsyncResponses(String path) throws Exception {
        HttpResponse<byte[]> identity = send(request(path));
        HttpResponse<byte[]> gzipped = send(request(path).header("Accept-Encoding", "gzip"));

        assertThat(identity.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(gzipped.statusCode()).isEqualTo(200);
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzipped.headers().allValues("Vary")).containsExactly("Accept-Encoding");
        gzipped.headers()
                .firstValueAsLong("Content-Length")
                .ifPresent(length -> assertThat(length).isEqualTo(gzipped.body().length));
        assertThat(gunzip(gzipped.body())).isEqualTo(identity.body()).isEqualTo(expectedBody(path));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "gzip | gzip",
                "deflate | deflate",
                "gzip;q=0, deflate | deflate",
                "x-gzip;q=0.5, deflate;q=0.2 | gzip",
                "GZIP ; Q=0 | identity",
                "notgzip, pack200-gzip | identity",
                "br | identity"
            })
    void negotiatesTheCodingAndTheClientDecodesTheOriginalBytes(String acceptEncoding, String expected)
            throws Exception {
        HttpResponse<byte[]> response = send(request("/text?size=20000").header("Accept-Encoding", acceptEncoding));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding").orElse("identity"))
                .isEqualTo(expected);
        assertThat(response.headers().allValues("Vary")).containsExactly("Accept-Encoding");
        response.headers()
                .firstValueAsLong("Content-Length")
                .ifPresent(length -> assertThat(length).isEqualTo(response.body().length));
        assertThat(decode(expected, response.body())).isEqualTo(ConformanceService.text(20000));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"cache=no-transform", "cache=public,%20no-transform", "type=image/png", "type=application/zip"})
    void leavesNoTransformAndIncompressibleResponsesAlone(String query) throws Exception {
        HttpResponse<byte[]> response =
                send(request("/text?size=20000&" + query).header("Accept-Encoding", "gzip, deflate"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.body()).isEqualTo(ConformanceService.text(20000));
    }

    @Test
    void headGetsTheHeadersGetWould() throws Exception {
        Assumptions.assumeTrue(host.sendsHeadWithoutContentLength(), host.name() + " adds Content-Length to HEAD");
        HttpResponse<byte[]> get = send(request("/text?size=20000").header("Accept-Encoding", "gzip"));
        HttpResponse<byte[]> head = send(request("/text?size=20000")
                .header("Accept-Encoding", "gzip")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Encoding"))
                .isEqualTo(get.headers().firstValue("Content-Encoding"));
        assertThat(head.headers().allValues("Vary")).isEqualTo(get.headers().allValues("Vary"));
        head.headers()
                .firstValueAsLong("Content-Length")
                .ifPresent(length -> assertThat(length).isEqualTo(get.body().length));
    }

    @Test
    void curlDecodesTheCompressedBody() throws Exception {
        Path headers = Files.createTempFile("gatehouse-curl", ".headers");
        try {
            Process curl;
            try {
                curl = new ProcessBuilder(
                                "curl", "-s", "--compressed", "-D", headers.toString(), base + "/text?size=50000")
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                if (System.getenv("GATEHOUSE_REQUIRE_TOOLS") != null) {
                    throw new AssertionError("curl is required (GATEHOUSE_REQUIRE_TOOLS is set) but did not start", e);
                }
                Assumptions.abort("curl is not installed; .ci/run installs it");
                return;
            }
            byte[] decoded = curl.getInputStream().readAllBytes();
            assertThat(curl.waitFor()).isZero();

            assertThat(Files.readString(headers).toLowerCase(java.util.Locale.ROOT))
                    .contains("content-encoding: gzip");
            assertThat(decoded).isEqualTo(ConformanceService.text(50000));
        } finally {
            Files.deleteIfExists(headers);
        }
    }

    private static byte[] decode(String coding, byte[] body) throws IOException {
        return switch (coding) {
            case "gzip" -> gunzip(body);
            case "deflate" -> {
                try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(body))) {
                    yield in.readAllBytes();
                }
            }
            default -> body;
        };
    }

    private static byte[] expectedBody(String path) {
        if (path.startsWith("/text")) {
            return ConformanceService.text(Integer.parseInt(path.substring(path.indexOf('=') + 1)));
        }
        if (path.equals("/async")) {
            return ConformanceService.text(ConformanceService.ASYNC_SIZE);
        }
        byte[] chunk = ConformanceService.text(ConformanceService.CHUNK_SIZE);
        byte[] all = new byte[chunk.length * ConformanceService.STREAM_CHUNKS];
        for (int i = 0; i < ConformanceService.STREAM_CHUNKS; i++) {
            System.arraycopy(chunk, 0, all, i * chunk.length, chunk.length);
        }
        return all;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/text, 200",
        "/async, 200",
        "/stream, 200",
        "/no-such-thing, 404",
        "/error, 409",
        "/fail, 500",
        "/redirect, 302"
    })
    void onCompleteFiresExactlyOnceWithTheStatusSent(String path, int status) throws Exception {
        String id = UUID.randomUUID().toString();

        HttpResponse<byte[]> response = send(request(path).header("X-Request-Id", id));

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(completionsOf(id)).containsExactly(status);
    }

    @Test
    void onCompleteFiresExactlyOnceForARefusal() throws Exception {
        String id = UUID.randomUUID().toString();

        send(request("/text").header("X-Request-Id", id).header(REJECT_TRIGGER, "yes"));

        assertThat(completionsOf(id)).containsExactly(403);
    }

    @Test
    void aResourceThatThrowsGivesA500AndNoStackTrace() throws Exception {
        HttpResponse<byte[]> response = send(request("/fail"));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(text(response)).doesNotContain("IllegalStateException").doesNotContain("at dev.gatehouse");
    }

    @Test
    void aValidRequestIdIsKeptPassedOnAndEchoed() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo").header("X-Request-Id", "order-42:retry-1"));

        assertThat(echoed(response, "header:x-request-id")).containsExactly("order-42:retry-1");
        assertThat(response.headers().allValues("X-Request-Id")).containsExactly("order-42:retry-1");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"too-long", "has space", "semi;colon", "quote\"d", "<script>"})
    void anInvalidRequestIdIsReplacedBeforeTheResourceSeesIt(String sent) throws Exception {
        String invalid = sent.equals("too-long") ? "a".repeat(129) : sent;

        HttpResponse<byte[]> response = send(request("/echo").header("X-Request-Id", invalid));

        List<String> seen = echoed(response, "header:x-request-id");
        assertThat(seen).hasSize(1).doesNotContain(invalid);
        assertThat(seen.get(0)).matches("[0-9a-f]{32}");
        assertThat(response.headers().allValues("X-Request-Id")).isEqualTo(seen);
    }

    @Test
    void aHeadRequestGetsTheHeadAndNoBody() throws Exception {
        String id = UUID.randomUUID().toString();

        HttpResponse<byte[]> response = send(request("/text?size=100")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("X-Request-Id", id));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().allValues(STAMP)).containsExactly("200");
        assertThat(completionsOf(id)).containsExactly(200);
    }

    @Test
    void aPolicyReadsTheBodyAndTheResourceStillReceivesItWhole() throws Exception {
        byte[] body = ConformanceService.text(BODY_LIMIT);

        HttpResponse<byte[]> response = send(request("/echo").POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(response.statusCode()).isEqualTo(200);
        String digest = ConformanceService.sha256(body);
        assertThat(echoed(response, "body-sha256")).containsExactly(digest);
        assertThat(echoed(response, "header:" + BODY_DIGEST.toLowerCase(java.util.Locale.ROOT)))
                .containsExactly(digest);
    }

    @Test
    void aGzipRequestBodyReachesTheResourceInflatedWithItsFramingFixed() throws Exception {
        byte[] body = ConformanceService.text(BODY_LIMIT); // the body-digest policy reads at most this
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gzipped)) {
            out.write(body);
        }

        HttpResponse<byte[]> response = send(request("/echo")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echoed(response, "body-sha256")).containsExactly(ConformanceService.sha256(body));
        assertThat(echoed(response, "header:content-encoding")).isEmpty();
        assertThat(echoed(response, "header:content-length")).containsExactly(Integer.toString(body.length));
    }

    @Test
    void aDecompressionBombIsRefusedWith413AndNeverReachesTheResource() throws Exception {
        int before = service.executions();
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bomb)) {
            out.write(new byte[4 * 1024 * 1024]);
        }

        HttpResponse<byte[]> response = send(request("/echo")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray())));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(text(response)).contains("\"status\":413");
        assertThat(service.executions()).isEqualTo(before);
    }

    @Test
    void fiftyConcurrentRetriesWithOneIdempotencyKeyExecuteOnce() throws Exception {
        int before = service.executions();
        String key = "\"" + UUID.randomUUID() + "\"";
        byte[] body = ConformanceService.text(200);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(50);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<HttpResponse<byte[]>>> responses = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            responses.add(threads.submit(() -> {
                start.await();
                return send(request("/echo")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            }));
        }
        start.countDown();
        List<HttpResponse<byte[]>> all = new java.util.ArrayList<>();
        for (java.util.concurrent.Future<HttpResponse<byte[]>> response : responses) {
            all.add(response.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        threads.shutdown();

        assertThat(service.executions() - before).isEqualTo(1);
        assertThat(all).allSatisfy(response -> assertThat(response.statusCode()).isIn(200, 409));
        List<HttpResponse<byte[]>> succeeded =
                all.stream().filter(response -> response.statusCode() == 200).toList();
        assertThat(succeeded).isNotEmpty();
        assertThat(succeeded).allSatisfy(response -> assertThat(text(response)).isEqualTo(text(succeeded.get(0))));
        assertThat(succeeded.stream()
                        .filter(r ->
                                r.headers().firstValue("Idempotent-Replayed").isEmpty()))
                .hasSizeLessThanOrEqualTo(1);

        HttpResponse<byte[]> later = send(
                request("/echo").header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(later.statusCode()).isEqualTo(200);
        assertThat(later.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(later.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(service.executions() - before).isEqualTo(1);
    }

    private String cachedText(int size, String cacheControl) {
        return "/text?size=" + size + "&cache="
                + cacheControl.replace("=", "%3D").replace(" ", "%20") + "&t=" + UUID.randomUUID();
    }

    @Test
    void aCachedRouteServesAFreshResponseWithAgeAndCacheStatusWithoutTheResource() throws Exception {
        String path = cachedText(300, "max-age=60");
        int before = service.executions();
        HttpResponse<byte[]> miss = send(request(path));
        HttpResponse<byte[]> hit = send(request(path));

        assertThat(service.executions() - before).isEqualTo(1);
        assertThat(miss.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(
                        status -> assertThat(status).startsWith("gatehouse; fwd=uri-miss; fwd-status=200; stored"));
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(hit.body()).isEqualTo(ConformanceService.text(300));
        assertThat(hit.headers().firstValue("Age")).isPresent();
        assertThat(hit.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).startsWith("gatehouse; hit; ttl="));
        assertThat(hit.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aCachedBodyIsStoredUncompressedAndEncodedForEachClient() throws Exception {
        String path = cachedText(5000, "max-age=60");
        int before = service.executions();
        HttpResponse<byte[]> gzipMiss = send(request(path).header("Accept-Encoding", "gzip"));
        HttpResponse<byte[]> identityHit = send(request(path));
        HttpResponse<byte[]> gzipHit = send(request(path).header("Accept-Encoding", "gzip"));

        assertThat(service.executions() - before).isEqualTo(1);
        assertThat(gunzip(gzipMiss.body())).isEqualTo(ConformanceService.text(5000));
        assertThat(identityHit.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(identityHit.body()).isEqualTo(ConformanceService.text(5000));
        assertThat(gzipHit.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gunzip(gzipHit.body())).isEqualTo(ConformanceService.text(5000));
    }

    @Test
    void privateOrAuthorizedResponsesAreNotStoredUnlessSharedExplicitly() throws Exception {
        String privatePath = cachedText(100, "private, max-age=60");
        String authorizedPath = cachedText(100, "max-age=60");
        String sharedPath = cachedText(100, "public, max-age=60");
        int before = service.executions();
        HttpResponse<byte[]> refused = send(request(privatePath));
        send(request(privatePath));
        send(request(authorizedPath).header("Authorization", "Basic YTpi"));
        send(request(authorizedPath).header("Authorization", "Basic YTpi"));
        send(request(sharedPath).header("Authorization", "Basic YTpi"));
        HttpResponse<byte[]> shared = send(request(sharedPath).header("Authorization", "Basic YTpi"));

        assertThat(service.executions() - before).isEqualTo(5);
        assertThat(refused.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).endsWith("detail=private"));
        assertThat(shared.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).contains("hit"));
    }

    @Test
    void concurrentMissesOnACachedRouteReachTheResourceOnce() throws Exception {
        String path = cachedText(2000, "max-age=60");
        int before = service.executions();
        List<HttpResponse<byte[]>> all = dev.gatehouse.testing.Race.of(20, i -> () -> send(request(path)));

        assertThat(service.executions() - before).isEqualTo(1);
        assertThat(all).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(ConformanceService.text(2000));
        });
    }

    @Test
    void aStaleResponseIsRevalidatedWithItsETagAndTheClientGetsItWholeEncodedForItself() throws Exception {
        String path = cachedText(3000, "max-age=0") + "&etag=e1";
        int before = service.executions();
        send(request(path));
        HttpResponse<byte[]> gzip = send(request(path).header("Accept-Encoding", "gzip"));
        HttpResponse<byte[]> identity = send(request(path));

        assertThat(service.executions() - before)
                .as("each use validated by the resource")
                .isEqualTo(3);
        assertThat(gzip.statusCode()).isEqualTo(200);
        assertThat(gzip.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gunzip(gzip.body())).isEqualTo(ConformanceService.text(3000));
        assertThat(gzip.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).contains("fwd=stale; fwd-status=304; stored"));
        assertThat(identity.statusCode()).isEqualTo(200);
        assertThat(identity.body()).isEqualTo(ConformanceService.text(3000));
        assertThat(identity.headers().firstValue("ETag")).hasValue("\"e1\"");
        assertThat(identity.headers().firstValue("Age")).isPresent();
        assertThat(identity.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aClientsOwnConditionalRequestForAStaleResponseStillGets304() throws Exception {
        String path = cachedText(300, "max-age=0") + "&etag=e2";
        send(request(path));
        HttpResponse<byte[]> conditional = send(request(path).header("If-None-Match", "\"e2\""));

        assertThat(conditional.statusCode()).isEqualTo(304);
        assertThat(conditional.body()).isEmpty();
    }

    @Test
    void withinStaleIfErrorTheResourcesServerErrorIsReplacedByTheStaleResponse() throws Exception {
        String path = cachedText(2000, "max-age=0, stale-if-error=60");
        send(request(path));
        HttpResponse<byte[]> unavailable = send(request(path).header("X-Fail", "503"));
        HttpResponse<byte[]> gzip = send(request(path).header("X-Fail", "500").header("Accept-Encoding", "gzip"));
        HttpResponse<byte[]> notImplemented = send(request(path).header("X-Fail", "501"));

        assertThat(unavailable.statusCode()).isEqualTo(200);
        assertThat(unavailable.body()).isEqualTo(ConformanceService.text(2000));
        assertThat(unavailable.headers().firstValue("Content-Length")).hasValue("2000");
        assertThat(unavailable.headers().firstValue("Cache-Status"))
                .hasValueSatisfying(
                        status -> assertThat(status).endsWith("fwd=stale; fwd-status=503; detail=stale-if-error"));
        assertThat(gzip.statusCode()).isEqualTo(200);
        assertThat(gunzip(gzip.body())).isEqualTo(ConformanceService.text(2000));
        assertThat(notImplemented.statusCode())
                .as("not an error stale-if-error covers")
                .isEqualTo(501);
        assertThat(text(notImplemented)).isEqualTo("failed");
    }

    @Test
    void withoutStaleIfErrorAServerErrorReachesTheClient() throws Exception {
        String path = cachedText(200, "max-age=0") + "&etag=e3";
        send(request(path));
        HttpResponse<byte[]> unavailable = send(request(path).header("X-Fail", "503"));

        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(text(unavailable)).isEqualTo("failed");
    }

    @Test
    void anUnsupportedRequestCodingIs415WithAcceptEncoding() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.headers().firstValue("Accept-Encoding")).hasValue("gzip, deflate");
    }

    @Test
    void aBodyLargerThanAPolicyReadsIsRefusedWith413AndNeverReachesTheResource() throws Exception {
        int before = service.executions();

        HttpResponse<byte[]> response = send(
                request("/echo").POST(HttpRequest.BodyPublishers.ofByteArray(ConformanceService.text(BODY_LIMIT + 1))));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.headers().allValues(STAMP)).containsExactly("413");
        assertThat(service.executions()).isEqualTo(before);
    }

    private static List<String> corsFields(HttpResponse<byte[]> response) {
        return response.headers().map().keySet().stream()
                .filter(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"))
                .toList();
    }

    /** A GET of {@code /echo} on the host's TLS listener, presenting {@code certificate} or none. */
    private HttpResponse<byte[]> getOverTls(TestCertificates.@Nullable Issued certificate, String... headers)
            throws Exception {
        URI tls = host.tlsBase().orElse(null);
        Assumptions.assumeTrue(tls != null, host.name() + " has no TLS listener");
        HttpClient tlsClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .sslContext(ConformanceTls.clientContext(certificate))
                .build();
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(tls + "/echo")).timeout(TIMEOUT);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return tlsClient.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aClientCertificateOverTlsNamesThePrincipalAndClientCopiesOfItsHeaderNeverReachTheResource() throws Exception {
        HttpResponse<byte[]> response = getOverTls(
                ConformanceTls.CLIENT,
                "x-client-cert-SUBJECT",
                "CN=admin",
                "X_Client_Cert_Subject",
                "CN=root",
                "X-User-Id",
                "root");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echoed(response, "header:x-user-id")).containsExactly("billing");
        assertThat(echoed(response, "header:x-caller"))
                .as("later policies see the certificate's principal")
                .containsExactly("billing");
        assertThat(echoed(response, "header:x-client-cert-subject")).containsExactly("CN=billing,O=Gatehouse");
        assertThat(text(response)).doesNotContain("CN=admin").doesNotContain("CN=root");
    }

    @Test
    void withoutAClientCertificateOverTlsNoClientCopyOfItsHeaderReachesTheResource() throws Exception {
        HttpResponse<byte[]> response = getOverTls(null, "X-Client-Cert-Subject", "CN=billing,O=Gatehouse");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text(response)).doesNotContain("x-client-cert-subject").doesNotContain("x-user-id");
    }

    @Test
    void aTrustedCertificateOfAnIssuerThePolicyDoesNotAcceptIs401AndTheResourceIsNeverCalled() throws Exception {
        int before = service.executions();

        HttpResponse<byte[]> response = getOverTls(ConformanceTls.PARTNER);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("ClientCertificate error=\"invalid_token\", "
                        + "error_description=\"The client certificate is not accepted.\"");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith(Problem.MEDIA_TYPE));
        assertThat(service.executions()).isEqualTo(before);
    }

    @Test
    void aPreflightOnAJwtRouteIs204WithTheCorsFieldsNot401() throws Exception {
        int before = service.executions();

        HttpResponse<byte[]> response = send(request("/echo")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization"));

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials"))
                .hasValue("true");
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods"))
                .hasValue("GET, POST");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValue("authorization");
        assertThat(response.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
        assertThat(String.join(",", response.headers().allValues("Vary"))).contains("Origin");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(response.body()).isEmpty();
        assertThat(service.executions()).isEqualTo(before);
    }

    @Test
    void aPreflightFromADisallowedOriginGetsNoCorsFieldsAndNeverReachesTheResource() throws Exception {
        int before = service.executions();

        HttpResponse<byte[]> response = send(request("/echo")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://evil.conformance.test")
                .header("Access-Control-Request-Method", "POST"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(corsFields(response)).isEmpty();
        assertThat(service.executions()).isEqualTo(before);
    }

    @Test
    void anAllowedOriginMayReadTheResponseAndTheRequestId() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo").header("Origin", ALLOWED_ORIGIN));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
        assertThat(response.headers().firstValue("Access-Control-Expose-Headers"))
                .hasValueSatisfying(exposed -> assertThat(exposed).contains("X-Request-Id", "RateLimit"));
        assertThat(String.join(",", response.headers().allValues("Vary"))).contains("Origin");
    }

    @Test
    void aRefusalByAuthenticationStillCarriesTheCorsFields() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo")
                .header("Origin", ALLOWED_ORIGIN)
                .header("Authorization", "Bearer " + ConformancePolicies.validToken("user-42") + "x"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
    }

    @Test
    void aDisallowedOriginGetsNoCorsFields() throws Exception {
        HttpResponse<byte[]> response = send(request("/echo").header("Origin", "http://app.conformance.test:8080"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(corsFields(response)).isEmpty();
        assertThat(String.join(",", response.headers().allValues("Vary"))).contains("Origin");
    }

    @Test
    void aDeniedClientAddressIs403ProblemBeforeTheRateLimitAndTheResource() throws Exception {
        int before = service.executions();

        HttpResponse<byte[]> first = send(request("/echo").DELETE());
        HttpResponse<byte[]> second = send(request("/echo").DELETE());

        for (HttpResponse<byte[]> response : List.of(first, second)) {
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(text(response)).contains("\"status\":403");
            assertThat(response.headers().firstValue("RateLimit")).isEmpty();
        }
        assertThat(service.executions()).isEqualTo(before);
    }

    @Test
    void securityHeadersAreAddedAndAServicesOwnValueIsKept() throws Exception {
        HttpResponse<byte[]> plain = send(request("/text"));
        HttpResponse<byte[]> framed = send(request("/text?frame=SAMEORIGIN"));

        assertThat(plain.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
        assertThat(plain.headers().allValues("X-Frame-Options")).containsExactly("DENY");
        assertThat(plain.headers().allValues("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(plain.headers().firstValue("Strict-Transport-Security")).isEmpty();
        assertThat(plain.headers().firstValue("Content-Security-Policy")).isEmpty();
        assertThat(framed.headers().allValues("X-Frame-Options")).containsExactly("SAMEORIGIN");
    }

    @Test
    void aRefusalGetsARestrictiveContentSecurityPolicy() throws Exception {
        HttpResponse<byte[]> response = send(request("/text").header(REJECT_TRIGGER, "yes"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().allValues("Content-Security-Policy"))
                .containsExactly("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void aHeaderTransformReachesTheResourceAndAClientCopyNever() throws Exception {
        HttpResponse<byte[]> signedIn = send(request("/echo")
                .header("Authorization", "Bearer " + ConformancePolicies.validToken("user-42"))
                .header(CALLER, "spoofed"));
        HttpResponse<byte[]> anonymous = send(request("/echo").header("x_caller", "spoofed"));

        assertThat(echoed(signedIn, "header:x-caller")).containsExactly("user-42");
        assertThat(echoed(signedIn, "header:x-route")).containsExactly("/echo");
        assertThat(text(anonymous)).doesNotContain("spoofed");
        assertThat(echoed(anonymous, "header:x-route")).containsExactly("/echo");
    }
}
