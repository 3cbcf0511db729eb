package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.conformance.ConformancePolicies;
import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the conformance suite leaves out and servlet containers do differently: registration, HEAD framing,
 * the container's error pages. Each container extends it with its host.
 */
abstract class ServletContainerCases {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    final ConformancePolicies.CompletionRecorder completions = new ConformancePolicies.CompletionRecorder();
    final RouteTable routes = RouteTable.of(PolicyChain.of(
            RequestIdPolicy.ofDefaults(),
            completions,
            CompressionPolicy.builder().minSize(0).build()));
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    /** The container, with the filter put in front of the servlet as {@code filter} says. */
    abstract ServletHost host(FilterSetup filter);

    /** A started container; {@link #close()} stops it. */
    final class Running implements AutoCloseable {
        final ServletHost host;
        final URI base;

        Running(FilterSetup filter) throws Exception {
            this(filter, new ConformanceServlet(new ConformanceService()));
        }

        Running(FilterSetup filter, HttpServlet servlet) throws Exception {
            host = host(filter);
            base = host.start(routes, servlet);
        }

        HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(TIMEOUT)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (headers.length > 0) {
                request.headers(headers);
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        @Override
        public void close() {
            try {
                host.stop();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop " + host.name(), e);
            }
        }
    }

    static byte[] gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/echo", "/async", "/text?size=10", "/text?size=20000"})
    void headGetsTheHeadersGetWouldWhetherOrNotTheServletSetsALength(String path) throws Exception {
        try (Running container = new Running(FilterSetup.REGISTER)) {
            HttpResponse<byte[]> get = container.send("GET", path, "Accept-Encoding", "gzip");
            HttpResponse<byte[]> head = container.send("HEAD", path, "Accept-Encoding", "gzip");

            assertThat(get.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(head.headers().allValues("Vary")).isEqualTo(get.headers().allValues("Vary"));
            assertThat(head.headers().firstValueAsLong("Content-Length")).isEmpty();
        }
    }

    /**
     * Writes {@code size} bytes of text through the output stream or the writer ({@code via}), states no length
     * and never flushes: a small body then fits the container's buffer, which states its length.
     */
    static final class UnframedServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            byte[] body = ConformanceService.text(Integer.parseInt(request.getParameter("size")));
            response.setContentType("text/plain;charset=utf-8");
            if ("writer".equals(request.getParameter("via"))) {
                response.getWriter().write(new String(body, StandardCharsets.UTF_8));
            } else {
                response.getOutputStream().write(body);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stream&size=100", "writer&size=100", "stream&size=20000", "writer&size=20000"})
    void headGetsTheHeadersGetWouldWhenTheServletStatesNoLength(String query) throws Exception {
        try (Running container = new Running(FilterSetup.REGISTER, new UnframedServlet())) {
            HttpResponse<byte[]> get = container.send("GET", "/unframed?via=" + query, "Accept-Encoding", "gzip");
            HttpResponse<byte[]> head = container.send("HEAD", "/unframed?via=" + query, "Accept-Encoding", "gzip");

            assertThat(get.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(head.headers().allValues("Vary")).isEqualTo(get.headers().allValues("Vary"));
            head.headers()
                    .firstValueAsLong("Content-Length")
                    .ifPresent(length -> assertThat(length).isEqualTo(get.body().length));
        }
    }

    /**
     * States a length, writes that many bytes in one write, then notes whether the response is committed and tries
     * to add a header: the container has sent the head by then.
     */
    static final class LateHeaderServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        /** Set once the servlet has asked: the client may have the whole response before that. */
        final CompletableFuture<Boolean> committedAfterBody = new CompletableFuture<>();

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            byte[] body = ConformanceService.text(Integer.parseInt(request.getParameter("size")));
            response.setContentType("text/plain;charset=utf-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            committedAfterBody.complete(response.isCommitted());
            response.setHeader("X-Late", "too late");
        }
    }

    /**
     * Whether the container alone commits a response once the bytes of its stated length are written, as the
     * Servlet specification closes it then. The filter always does.
     */
    boolean commitsAtStatedLength() {
        return true;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"identity", "gzip"})
    void theBytesThatCompleteTheStatedLengthCommitTheResponseAsTheSpecificationSays(String coding) throws Exception {
        LateHeaderServlet bareServlet = new LateHeaderServlet();
        HttpResponse<byte[]> bare;
        boolean bareCommitted;
        try (Running container = new Running(FilterSetup.NONE, bareServlet)) {
            bare = container.send("GET", "/text?size=100", "Accept-Encoding", coding);
            // The servlet may still be running when the client has the response: wait for it before stopping.
            bareCommitted = bareServlet.committedAfterBody.get(10, TimeUnit.SECONDS);
        }
        LateHeaderServlet servlet = new LateHeaderServlet();
        try (Running container = new Running(FilterSetup.REGISTER, servlet)) {
            HttpResponse<byte[]> filtered = container.send("GET", "/text?size=100", "Accept-Encoding", coding);

            assertThat(bareCommitted).as("the container alone").isEqualTo(commitsAtStatedLength());
            assertThat(bare.headers().firstValue("X-Late").isEmpty())
                    .as("the container alone")
                    .isEqualTo(commitsAtStatedLength());
            assertThat(servlet.committedAfterBody.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(filtered.statusCode()).isEqualTo(200);
            assertThat(filtered.headers().firstValue("X-Late")).isEmpty();
            assertThat(filtered.headers().firstValue("X-Request-Id")).isPresent();
            byte[] body = coding.equals("gzip") ? gunzip(filtered.body()) : filtered.body();
            assertThat(body).isEqualTo(bare.body()).isEqualTo(ConformanceService.text(100));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/text?size=10", "/text?size=20000", "/async", "/stream"})
    void aCompressedBodyIsWholeWhetherOrNotTheServletStatedTheUncompressedLength(String path) throws Exception {
        try (Running container = new Running(FilterSetup.REGISTER)) {
            HttpResponse<byte[]> identity = container.send("GET", path);
            HttpResponse<byte[]> gzipped = container.send("GET", path, "Accept-Encoding", "gzip");

            assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            gzipped.headers()
                    .firstValueAsLong("Content-Length")
                    .ifPresent(length -> assertThat(length).isEqualTo(gzipped.body().length));
            assertThat(gunzip(gzipped.body())).isEqualTo(identity.body());
        }
    }

    @Test
    void anAsyncServletWorksBehindTheRegisteredFilter() throws Exception {
        try (Running container = new Running(FilterSetup.REGISTER)) {
            HttpResponse<byte[]> response = container.send("GET", "/async", "Accept-Encoding", "gzip");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
            assertThat(gunzip(response.body())).isEqualTo(ConformanceService.text(ConformanceService.ASYNC_SIZE));
        }
    }

    /**
     * Whether an async servlet works behind the filter set up as {@code filter} says, registered without asking
     * for async support. Where it does not, the container refuses {@code startAsync}.
     */
    abstract boolean asyncWorksBehind(FilterSetup filter);

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = FilterSetup.class,
            names = {"NATIVE", "NOT_ASYNC"})
    void anAsyncServletBehindAFilterRegisteredWithoutAsyncSupportWorksOrTheLogSaysWhatToChange(FilterSetup filter)
            throws Exception {
        try (Running container = new Running(filter)) {
            PrintStream stderr = System.err;
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            HttpResponse<byte[]> response;
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try {
                response = container.send("GET", "/async");
            } finally {
                System.setErr(stderr);
            }

            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
            if (asyncWorksBehind(filter)) {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo(ConformanceService.text(ConformanceService.ASYNC_SIZE));
                return;
            }
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("startAsync");
            assertThat(log.toString(StandardCharsets.UTF_8))
                    .contains("not async-supported")
                    .contains("OffloadFilter.register(servletContext, routes)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/no-such-thing", "/error"})
    void sendErrorKeepsTheContainersErrorPage(String path) throws Exception {
        HttpResponse<byte[]> bare;
        String bareBody;
        try (Running container = new Running(FilterSetup.NONE)) {
            bare = container.send("GET", path, "Accept-Encoding", "gzip");
            bareBody = withoutPort(bare.body(), container.base);
        }
        try (Running container = new Running(FilterSetup.REGISTER)) {
            HttpResponse<byte[]> filtered = container.send("GET", path, "Accept-Encoding", "gzip");

            assertThat(filtered.statusCode()).isEqualTo(bare.statusCode());
            assertThat(filtered.headers().firstValue("X-Request-Id")).isPresent();
            assertThat(filtered.headers().firstValue("Content-Type"))
                    .isEqualTo(bare.headers().firstValue("Content-Type"));
            assertThat(withoutPort(filtered.body(), container.base))
                    .isNotEmpty()
                    .isEqualTo(bareBody);
            filtered.headers()
                    .firstValueAsLong("Content-Length")
                    .ifPresent(length -> assertThat(length).isEqualTo(filtered.body().length));
        }
    }

    @Test
    void withErrorPagesAFailureGetsTheContainersOwnAnswerAndTheExchangeCompletesOnce() throws Exception {
        HttpResponse<byte[]> bare;
        try (Running container = new Running(FilterSetup.NONE)) {
            bare = container.send("GET", "/fail");
        }
        try (Running container = new Running(FilterSetup.ERROR_PAGES)) {
            HttpResponse<byte[]> failed = container.send("GET", "/fail", "X-Request-Id", "failure-1");

            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.headers().firstValue("Content-Type"))
                    .as("the container's answer, not Gatehouse's problem")
                    .isEqualTo(bare.headers().firstValue("Content-Type"));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (completions.statusesOf("failure-1").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertThat(completions.statusesOf("failure-1")).containsExactly(500);
        }
    }

    /** An error page may show the request's URI: the two containers compared listen on different ports. */
    private static String withoutPort(byte[] body, URI base) {
        return new String(body, StandardCharsets.UTF_8).replace(":" + base.getPort() + "/", ":PORT/");
    }

    @Test
    void theFilterIsRegisteredOncePerContext() throws Exception {
        FilterSetup.secondRegistration = null;
        try (Running container = new Running(FilterSetup.REGISTER_TWICE)) {
            HttpResponse<byte[]> response = container.send("GET", "/text");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().allValues("X-Request-Id")).hasSize(1);
            assertThat(FilterSetup.secondRegistration).hasMessageContaining("filter name: gatehouse");
        }
    }
}
