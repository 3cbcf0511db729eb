package dev.gatehouse.jetty;

import static dev.gatehouse.jetty.Handlers.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.conformance.ConformanceService;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffloadHandlerTest {
    private static final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Handlers.CompletionRecorder completions = new Handlers.CompletionRecorder();
    private final AtomicInteger calls = new AtomicInteger();

    /** Echoes what it received: one {@code name: value} line per request field, then the body. */
    private final Handler echo = Handlers.of((request, response, callback) -> {
        calls.incrementAndGet();
        StringBuilder echo = new StringBuilder();
        for (HttpField field : request.getHeaders()) {
            echo.append(field.getName().toLowerCase(Locale.ROOT))
                    .append(": ")
                    .append(field.getValue())
                    .append('\n');
        }
        echo.append('\n').append(Content.Source.asString(request, StandardCharsets.UTF_8));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.write(true, utf8(echo.toString()), callback);
        return true;
    });

    private static String upload(TestServer server, HttpRequest.BodyPublisher body) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(server.uri("/upload")).POST(body).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @ParameterizedTest(name = "the handler states its length: {0}")
    @ValueSource(booleans = {true, false})
    void headGetsTheHeadersGetWouldAndNoBodyWhenCompressionChangesTheLength(boolean statesLength) throws Exception {
        byte[] text = ConformanceService.text(20_000);
        Handler texts = Handlers.of((request, response, callback) -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            if (statesLength) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, text.length);
            }
            response.write(true, ByteBuffer.wrap(text), callback);
            return true;
        });
        RouteTable routes = RouteTable.of(PolicyChain.of(
                RequestIdPolicy.ofDefaults(), CompressionPolicy.builder().build()));
        try (TestServer server = TestServer.offloading(routes, texts)) {
            // HEAD, then GET on the same connection: any body byte after the HEAD's head would corrupt the GET's.
            String received = server.exchangeRaw(
                    "HEAD /text HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n"
                            + "GET /text HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");

            int headEnd = received.indexOf("\r\n\r\n") + 4;
            Map<String, List<String>> head = fields(received.substring(0, headEnd));
            String rest = received.substring(headEnd);
            assertThat(rest).startsWith("HTTP/1.1 200 ");
            int getEnd = rest.indexOf("\r\n\r\n") + 4;
            Map<String, List<String>> get = fields(rest.substring(0, getEnd));
            int gzippedLength = rest.length() - getEnd;

            assertThat(received).startsWith("HTTP/1.1 200 ");
            assertThat(head.get("content-encoding")).containsExactly("gzip");
            for (String name : List.of("content-encoding", "vary", "content-type")) {
                assertThat(head.get(name)).as(name).isEqualTo(get.get(name));
            }
            assertThat(head.get("x-request-id")).hasSize(1);
            assertThat(head.getOrDefault("content-length", List.of(Integer.toString(gzippedLength))))
                    .containsExactly(Integer.toString(gzippedLength));
        }
    }

    @Test
    void policiesEditTheServicesFieldsInPlaceInAnyLetterCase() throws Exception {
        Handler service = Handlers.of((request, response, callback) -> {
            response.getHeaders().add("x-trace", "a");
            response.getHeaders().add("X-Trace", "b");
            response.getHeaders().add("Cache-Control", "no-store");
            response.getHeaders().add("ETag", "\"v1\"");
            response.write(true, utf8("ok"), callback);
            return true;
        });
        OffloadPolicy editing = new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public void onResponse(Exchange exchange, dev.gatehouse.ResponseHead response) {
                assertThat(response.headers().all("X-TRACE")).containsExactly("a", "b");
                response.headers().set("X-TRACE", "c");
                response.headers().remove("cache-control");
                response.headers().add("Cache-Control", "no-store");
                response.headers().set("etag", "\"v1-gzip\"");
            }
        };
        try (TestServer server = TestServer.offloading(RouteTable.of(PolicyChain.of(editing)), service)) {
            String received = server.exchangeRaw("GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            Map<String, List<String>> head = fields(received.substring(0, received.indexOf("\r\n\r\n") + 4));

            assertThat(received).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nok");
            assertThat(head.get("x-trace")).containsExactly("c");
            assertThat(head.get("cache-control")).containsExactly("no-store");
            assertThat(head.get("etag")).containsExactly("\"v1-gzip\"");
            assertThat(received).contains("\r\nX-TRACE: c\r\n"); // in the policy's spelling (Jetty's for ETag)
        }
    }

    private static Map<String, List<String>> fields(String head) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("HTTP/")) {
                fields.computeIfAbsent(
                                line.substring(0, colon).trim().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    @ParameterizedTest(name = "a handler that {0}")
    @ValueSource(strings = {"throws", "fails its callback later"})
    void aFailureBeforeCommitIsA500ProblemWithTheRequestIdAndNothingOfTheHandlersResponse(String how) throws Exception {
        Handler failing = Handlers.of((request, response, callback) -> {
            response.setStatus(201);
            response.getHeaders().put("X-Partial", "yes");
            if (how.equals("throws")) {
                throw new IllegalStateException("the handler failed");
            }
            CompletableFuture.runAsync(() -> callback.failed(new IllegalStateException("the handler failed")));
            return true;
        });
        RouteTable routes = RouteTable.of(PolicyChain.of(RequestIdPolicy.ofDefaults(), completions));
        try (TestServer server = TestServer.offloading(routes, failing)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(server.uri("/fail")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
            assertThat(response.headers().firstValue("X-Partial")).isEmpty();
            assertThat(response.body()).contains("\"status\":500").doesNotContain("the handler failed");
            Completion completion = completions.await();
            assertThat(completion.status()).isEqualTo(500);
            assertThat(completion.failure()).isPresent();
        }
    }

    /** Proceeds, after reading at most 64 bytes of body. */
    private static final OffloadPolicy READS_64_BYTES = new OffloadPolicy() {
        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.proceed();
        }

        @Override
        public int requestBodyLimit() {
            return 64;
        }
    };

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Content-Length", "chunked"})
    void aBodyOverAPolicysLimitIs413AndNeverReachesTheHandler(String framing) throws Exception {
        byte[] body = ConformanceService.text(1000);
        HttpRequest.BodyPublisher publisher = framing.equals("chunked")
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        try (TestServer server = TestServer.offloading(RouteTable.of(PolicyChain.of(READS_64_BYTES)), echo)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(server.uri("/upload"))
                            .POST(publisher)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("\"status\":413");
            assertThat(calls).hasValue(0);
        }
    }

    @Test
    void aChunkedBodyAPolicyReadReachesTheHandlerWholeWithItsLengthAndWithoutTransferEncoding() throws Exception {
        byte[] body = ConformanceService.text(60);
        try (TestServer server = TestServer.offloading(RouteTable.of(PolicyChain.of(READS_64_BYTES)), echo)) {
            String echoed =
                    upload(server, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

            assertThat(echoed)
                    .contains("content-length: 60\n")
                    .doesNotContain("transfer-encoding")
                    .endsWith("\n\n" + new String(body, StandardCharsets.US_ASCII));
        }
    }

    private static final OffloadPolicy SETS_THE_USER = exchange -> Decision.proceed(Headers.of("X-User-Id", "user-42"));

    @Test
    void aClientsConnectionHeaderCannotNameAwayAHeaderAPolicySet() throws Exception {
        try (TestServer server = TestServer.offloading(RouteTable.of(PolicyChain.of(SETS_THE_USER)), echo)) {
            String received = server.exchangeRaw("GET /who HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close, X-User-Id\r\nX-User-Id: admin\r\n\r\n");

            assertThat(received).startsWith("HTTP/1.1 200 ").doesNotContain("admin");
            assertThat(received.lines().filter(line -> line.startsWith("x-user-id: ")))
                    .containsExactly("x-user-id: user-42");
            assertThat(received.lines().filter(line -> line.startsWith("connection: ")))
                    .containsExactly("connection: close");
        }
    }

    @Test
    void behindAReverseProxyTheUpstreamStillGetsTheHeaderAPolicySetThoughTheClientsConnectionNamesIt()
            throws Exception {
        try (TestServer upstream = TestServer.plain(echo);
                TestServer gateway = TestServer.offloading(
                        RouteTable.of(PolicyChain.of(SETS_THE_USER)),
                        new ProxyHandler.Reverse(
                                "https?://[^/]+(/.*)", "http://127.0.0.1:" + upstream.port() + "$1"))) {
            String received = gateway.exchangeRaw("GET /who HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close, X-User-Id, X-Hop\r\nX-User-Id: admin\r\nX-Hop: client-only\r\n\r\n");

            assertThat(received).startsWith("HTTP/1.1 200 ").doesNotContain("admin");
            assertThat(received.lines().filter(line -> line.startsWith("x-user-id: ")))
                    .containsExactly("x-user-id: user-42");
            // The proxy still removes what the client's Connection names and no policy set.
            assertThat(received).doesNotContain("client-only");
        }
    }

    @Test
    void aHandlerBehindReachesTheExchangeAndOneWithoutTheHostDoesNot() throws Exception {
        Request.Handler reporting = (request, response, callback) -> {
            String seen = OffloadHandler.exchange(request)
                    .map(exchange -> exchange.method() + " " + exchange.path() + " "
                            + exchange.attribute(Exchange.REQUEST_ID).isPresent())
                    .orElse("none");
            response.write(true, utf8(seen), callback);
            return true;
        };
        RouteTable routes = RouteTable.of(PolicyChain.of(RequestIdPolicy.ofDefaults()));
        try (TestServer offloaded = TestServer.offloading(routes, Handlers.of(reporting));
                TestServer plain = TestServer.plain(Handlers.of(reporting))) {
            HttpRequest.Builder request = HttpRequest.newBuilder().uri(offloaded.uri("/seen"));

            assertThat(client.send(request.build(), HttpResponse.BodyHandlers.ofString())
                            .body())
                    .isEqualTo("GET /seen true");
            assertThat(client.send(
                                    HttpRequest.newBuilder(plain.uri("/seen")).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .isEqualTo("none");
        }
    }
}
