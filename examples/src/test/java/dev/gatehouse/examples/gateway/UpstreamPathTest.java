package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The path a route sends upstream, as a plain unit: strip, rewrite, and the results that are refused. */
class UpstreamPathTest {
    private static final GatewayRoute API =
            new GatewayRoute("/api", List.of(URI.create("http://b/v2")), PolicyChain.empty(), Duration.ofSeconds(1));

    @Test
    void aRouteWithoutTransformsSendsThePathAndQueryAsTheyCame() {
        assertThat(UpstreamPath.of(API, "/api/a%2Fb/../c", "q=1")).isEqualTo("/api/a%2Fb/../c?q=1");
    }

    @Test
    void aPathWithDotSegmentsOrParametersIsNotTransformed() {
        GatewayRoute strip = API.withStripPrefix(true);
        GatewayRoute rewrite = API.withRewrite(GatewayRoute.Rewrite.of("^/api/v1/(.*)$", "/v2/$1"));
        for (String raw : List.of(
                "/./api/admin",
                "/x/../api/admin",
                "/api/%2e/admin",
                "/api/v1;x=1/secret",
                "/api/v1%3Bx=1/secret",
                "/api/v1/./secret")) {
            assertThat(UpstreamPath.of(strip, raw, null)).as(raw).isNull();
            assertThat(UpstreamPath.of(rewrite, raw, null)).as(raw).isNull();
        }
        assertThat(UpstreamPath.of(API, "/api/v1;x=1/secret", null))
                .as("no transform: sent as the client sent it")
                .isEqualTo("/api/v1;x=1/secret");
    }

    @Test
    void charactersAUriCannotHoldAreEncodedAndMalformedEscapesRefused() {
        assertThat(UpstreamPath.of(API, "/api/a", "x=\"1\"&y={}|^`<>\\"))
                .isEqualTo("/api/a?x=%221%22&y=%7B%7D%7C%5E%60%3C%3E%5C");
        assertThat(UpstreamPath.of(API, "/api/caf\u00e9", "q=\u00fc")).isEqualTo("/api/caf%C3%A9?q=%C3%BC");
        assertThat(UpstreamPath.of(API, "/api/a", "q=%2F%e9")).isEqualTo("/api/a?q=%2F%e9");
        assertThat(UpstreamPath.of(API, "/api/a", "q=%zz")).isNull();
        assertThat(UpstreamPath.of(API, "/api/a", "q=%")).isNull();
        assertThat(UpstreamPath.of(API, "/api/a%2", null)).isNull();
        assertThat(UpstreamPath.of(API.withStripPrefix(true), "/api/a", "x=\"")).isEqualTo("/a?x=%22");
    }

    @Test
    void strippingThePrefixKeepsTheRestAndTheQuery() {
        GatewayRoute route = API.withStripPrefix(true);

        assertThat(UpstreamPath.of(route, "/api/orders/7", "x=1&y=%20")).isEqualTo("/orders/7?x=1&y=%20");
        assertThat(UpstreamPath.of(route, "/api", null)).isEqualTo("/");
        assertThat(UpstreamPath.of(route, "/api/", null)).isEqualTo("/");
    }

    @Test
    void aRewriteRunsAfterTheStripWithGroups() {
        GatewayRoute route =
                API.withStripPrefix(true).withRewrite(GatewayRoute.Rewrite.of("^/users/(\\d+)$", "/people/$1"));

        assertThat(UpstreamPath.of(route, "/api/users/42", "full")).isEqualTo("/people/42?full");
        assertThat(UpstreamPath.of(route, "/api/users/x", null)).isEqualTo("/users/x");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/../admin",
                "/a/%2e%2e/admin",
                "/a/%2E%2E/admin",
                "/a/%2e%2E/admin",
                "/a/.%2e/admin",
                "/a/%2E./admin",
                "/a/..;/admin",
                "/a/%252e%252e/admin",
                "//evil.example/x",
                "/%2f%2fevil.example/x",
                "/%2F%2Fevil.example/x",
                "/%2f/evil.example",
                "/\\evil.example",
                "/%5cevil.example",
                "/%5Cevil.example",
                "/a%0d%0aSet-Cookie:%20x=1",
                "/a%0D%0ASet-Cookie:%20x=1",
                "/a%0a",
                "/a%00",
                "/go/http://evil.example",
                "/go/HTTP://evil.example",
                "/go/HtTpS://evil.example",
                "/go/http%3a%2f%2fevil.example",
                "/go/http%3A%2F%2Fevil.example",
                "http://evil.example/",
                "HTTPS://evil.example/",
                "@evil.example/x",
                "evil.example",
                "",
                "/a%2",
                "%2Fevil.example",
                "%2f%2fevil.example",
                "/a%zz"
            })
    void aTransformedPathThatLeavesTheUpstreamIsRefused(String path) {
        assertThat(UpstreamPath.safe(path)).as(path).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/orders/7", "/a/..b/c", "/a/b..", "/a%20b", "/%E2%82%AC", "/a:b", "/a/./b"})
    void anOrdinaryPathPasses(String path) {
        assertThat(UpstreamPath.safe(path)).as(path).isTrue();
    }

    @Test
    void aRewriteThatWouldEscapeIsRefusedWhateverTheInput() {
        GatewayRoute route = API.withRewrite(GatewayRoute.Rewrite.of("^/api/r/(.*)$", "$1"));

        assertThat(UpstreamPath.of(route, "/api/r/@evil.example/x", null)).isNull();
        assertThat(UpstreamPath.of(route, "/api/r///evil.example/x", null)).isNull();
        assertThat(UpstreamPath.of(route, "/api/r/http://evil.example", null)).isNull();
        assertThat(UpstreamPath.of(route, "/api/r//fine", "q")).isEqualTo("/fine?q");
    }

    @Test
    void aBadRewriteIsRefusedWhenBuiltNamingThePart() {
        assertThatThrownBy(() -> GatewayRoute.Rewrite.of("^/(users", "/$1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("from: ^/(users (expected: a Java regular expression;");
        assertThatThrownBy(() -> GatewayRoute.Rewrite.of("^/(users)", "/$2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("to: /$2 (expected: a replacement, $n up to $1");
        for (String to : List.of("/${name}", "/$", "/a\\", "/$x")) {
            assertThatThrownBy(() -> GatewayRoute.Rewrite.of("^/(?<id>users)", to))
                    .as(to)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("to: " + to + " (expected: a replacement");
        }
        assertThat(GatewayRoute.Rewrite.of("^/(?<id>users)/(x)?", "/${id}/$2/\\$")
                        .to())
                .isEqualTo("/${id}/$2/\\$");
    }
}
