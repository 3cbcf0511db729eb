package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The admin port's access rules and headers, through real HTTP clients. */
class AdminServerTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String TOKEN = "admin-server-test-token-0123";

    private AdminServer admin;

    @AfterEach
    void stop() throws Exception {
        if (admin != null) {
            admin.stop();
        }
    }

    private URI start(String token) throws Exception {
        admin = new AdminServer(
                        "127.0.0.1",
                        0,
                        token,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        () -> Map.of("routes", java.util.List.of()))
                .start();
        return admin.uri();
    }

    private static HttpResponse<String> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> login(URI base, String token, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theConsoleIsServedWithAStrictContentSecurityPolicyAndItsScriptAsAFileOfItsOwn() throws Exception {
        URI base = start(null);

        HttpResponse<String> page = get(base.resolve("/"));
        HttpResponse<String> script = get(base.resolve("/console.js"));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).startsWith("default-src 'self';").doesNotContain("unsafe"));
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.body()).contains("<script src=\"console.js\" defer></script>");
        assertThat(page.body().replace("<script src=\"console.js\" defer></script>", ""))
                .as("no inline script")
                .doesNotContain("<script");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body())
                .contains("fetch('admin/status'")
                .doesNotContain("http://")
                .doesNotContain("https://");
    }

    @Test
    void withATokenTheStatusNeedsItAndAWrongOneIsRefusedWith401() throws Exception {
        URI base = start(TOKEN);
        Logger logger = (Logger) LoggerFactory.getLogger(AdminServer.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);

        HttpResponse<String> none;
        HttpResponse<String> wrong;
        HttpResponse<String> right;
        try {
            none = get(base.resolve("/admin/status"));
            wrong = get(base.resolve("/metrics"), "Authorization", "Bearer not-the-token-at-all");
            right = get(base.resolve("/admin/status"), "Authorization", "Bearer " + TOKEN);
        } finally {
            logger.detachAppender(log);
        }

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gatehouse-admin\"");
        assertThat(none.body()).contains("no admin token");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("wrong admin token").doesNotContain("not-the-token-at-all");
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("\"routes\"");
        assertThat(log.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        "admin: refused GET /admin/status from 127.0.0.1: no admin token and no session",
                        "admin: refused GET /metrics from 127.0.0.1: wrong admin token");
    }

    @Test
    void aBrowserWithoutASessionIsSentToTheLoginFormAndTheTokenThereGivesAStrictHttpOnlySession() throws Exception {
        URI base = start(TOKEN);

        HttpResponse<String> page = get(base.resolve("/"));
        HttpResponse<String> form = get(base.resolve("/login"));
        HttpResponse<String> wrong = login(base, "guess-guess-guess-guess");
        HttpResponse<String> right = login(base, TOKEN);
        String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
        HttpResponse<String> status =
                get(base.resolve("/admin/status"), "Cookie", cookie.substring(0, cookie.indexOf(';')));
        HttpResponse<String> forged = get(base.resolve("/admin/status"), "Cookie", AdminAccess.COOKIE + "=00ff");

        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("login");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("<form").contains("name=\"token\"").doesNotContain("<script");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("That is not the admin token.");
        assertThat(right.statusCode()).isEqualTo(303);
        assertThat(cookie)
                .startsWith(AdminAccess.COOKIE + "=")
                .containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Strict");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("unknown or expired session");
    }

    @Test
    void aLoginPostedFromAnotherOriginIsRefused() throws Exception {
        URI base = start(TOKEN);

        HttpResponse<String> crossSite = login(base, TOKEN, "Origin", "http://evil.example");

        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(crossSite.body()).contains("another origin");
    }

    @Test
    void theAdminPortIsReadOnly() throws Exception {
        URI base = start(null);

        HttpResponse<String> post = CLIENT.send(
                HttpRequest.newBuilder(base.resolve("/admin/status"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(post.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void withoutATokenARequestForAnotherHostNameIsRefusedAgainstDnsRebinding() throws Exception {
        URI base = start(null);

        String answer = raw(
                base,
                "GET /admin/status HTTP/1.1\r\nHost: rebound.example:" + base.getPort()
                        + "\r\nConnection: close\r\n\r\n");
        String local = raw(
                base,
                "GET /admin/status HTTP/1.1\r\nHost: localhost:" + base.getPort() + "\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 403").contains("rebound.example is not loopback");
        assertThat(local).startsWith("HTTP/1.1 200");
    }

    @Test
    void withoutATokenTheAdminPortCannotListenBeyondLoopback() {
        assertThatThrownBy(() -> new AdminServer(
                        "0.0.0.0", 0, null, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Map::of))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("admin host 0.0.0.0 without a token");
    }

    @Test
    void loopbackIsDecidedOnTheTextAlone() {
        assertThat(AdminAccess.isLoopback("127.0.0.1")).isTrue();
        assertThat(AdminAccess.isLoopback("127.8.9.10")).isTrue();
        assertThat(AdminAccess.isLoopback("localhost")).isTrue();
        assertThat(AdminAccess.isLoopback("[::1]")).isTrue();
        assertThat(AdminAccess.isLoopback("::1")).isTrue();
        assertThat(AdminAccess.isLoopback("0.0.0.0")).isFalse();
        assertThat(AdminAccess.isLoopback("127.0.0.1.evil.example")).isFalse();
        assertThat(AdminAccess.isLoopback("127.0.0.256")).isFalse();
        assertThat(AdminAccess.isLoopback("10.0.0.1")).isFalse();
        assertThat(AdminAccess.isLoopback("localhost.evil.example")).isFalse();
    }

    private static String raw(URI base, String request) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
