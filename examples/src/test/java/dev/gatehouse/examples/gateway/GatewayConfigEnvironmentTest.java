package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigEnvironmentTest {
    static final String SECRET = "RETVx3qefhEJ+YeSJJ2AUojuCi6q6NQe2P3d3P6gVx8=";

    @TempDir
    Path dir;

    static GatewayConfig parse(String yaml, Map<String, String> environment) throws Exception {
        return GatewayConfigLoader.parse("gateway.yaml", yaml, environment::get);
    }

    static GatewayConfig parse(String yaml) throws Exception {
        return parse(yaml, Map.of());
    }

    @Test
    void aVariableFillsAStringValue() throws Exception {
        GatewayConfig config = parse("""
                auth:
                  jwt:
                    audiences: [orders]
                    issuers:
                      - issuer: https://idp.example.com/
                        hs256Secret: ${JWT_SECRET}
                routes:
                  - path: /api
                    upstreams: ["${ORDERS_URL}"]
                """, Map.of("JWT_SECRET", SECRET, "ORDERS_URL", "http://orders:8080"));

        assertThat(config.auth().jwt().issuers().get(0).hs256Secret()).isEqualTo(SECRET);
        assertThat(config.routes().get(0).upstreams())
                .extracting(GatewayConfig.UpstreamConfig::url)
                .containsExactly("http://orders:8080");
    }

    @Test
    void theDefaultIsUsedWhenTheVariableIsUnsetOrEmpty() throws Exception {
        String yaml = """
                routes:
                  - path: /api
                    upstreams: ["${ORDERS_URL:-http://127.0.0.1:9000}"]
                    timeout: ${ORDERS_TIMEOUT:-5s}
                """;

        GatewayConfig unset = parse(yaml);
        GatewayConfig empty = parse(yaml, Map.of("ORDERS_URL", ""));
        GatewayConfig set = parse(yaml, Map.of("ORDERS_URL", "http://orders:8080", "ORDERS_TIMEOUT", "2s"));

        assertThat(unset.routes().get(0).upstreams().get(0).url()).isEqualTo("http://127.0.0.1:9000");
        assertThat(unset.routes().get(0).timeout()).isEqualTo("5s");
        assertThat(empty.routes().get(0).upstreams().get(0).url()).isEqualTo("http://127.0.0.1:9000");
        assertThat(set.routes().get(0).upstreams().get(0).url()).isEqualTo("http://orders:8080");
        assertThat(set.routes().get(0).timeout()).isEqualTo("2s");
    }

    @Test
    void severalReferencesFillOneValue() throws Exception {
        GatewayConfig config = parse("""
                redis: redis://:${REDIS_PASSWORD}@${REDIS_HOST:-127.0.0.1}:${REDIS_PORT:-6379}
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                """, Map.of("REDIS_PASSWORD", "s3cr3t", "REDIS_PORT", "6380"));

        assertThat(config.redis()).isEqualTo("redis://:s3cr3t@127.0.0.1:6380");
    }

    @Test
    void aDoubledDollarWritesALiteralReference() throws Exception {
        GatewayConfig config = parse("""
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                    rewrite: { from: "^/api/(?<rest>.*)$", to: "/v2/$${rest}" }
                """, Map.of("rest", "not this"));

        assertThat(config.routes().get(0).rewrite().to()).isEqualTo("/v2/${rest}");
    }

    @Test
    void anUnsetVariableIsAnErrorAtItsLine() {
        assertThatThrownBy(() -> parse("""
                        listen:
                          port: 0
                        redis: redis://:${REDIS_PASSWORD}@127.0.0.1:6379
                        routes:
                          - path: /api
                            upstreams: [builtin:echo]
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageStartingWith("gateway.yaml line 3, column 8:")
                .hasMessageEndingWith(" redis: environment variable REDIS_PASSWORD is not set"
                        + " (write ${REDIS_PASSWORD:-default} for a default)");
        assertThatThrownBy(() -> parse("""
                        routes:
                          - path: /api
                            upstreams:
                              - builtin:echo
                              - ${CANARY_URL}
                        """))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageStartingWith("gateway.yaml line 5, column")
                .hasMessageContaining("routes[0].upstreams[1]")
                .hasMessageContaining("environment variable CANARY_URL is not set");
    }

    @Test
    void aMalformedReferenceIsAnErrorAtItsLine() {
        Map<String, String> cases = Map.of(
                "${", "reference ${ has no closing }",
                "x${1X}", "reference ${1X} (expected: ${NAME} or ${NAME:-default}",
                "${A-b}", "reference ${A-b} (expected: ",
                "${A:-${B}}", "reference ${A:-${B}} nests a reference in its default");
        cases.forEach((value, message) -> assertThatThrownBy(
                        () -> parse("""
                        routes:
                          - path: /api
                            upstreams: [builtin:echo]
                            host: "%s"
                        """.formatted(value), Map.of("A", "a", "B", "b")))
                .as(value)
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageStartingWith("gateway.yaml line 4, column")
                .hasMessageContaining("routes[0].host: " + message));
    }

    @Test
    void aVariableHoldingYamlStaysOnePlainString() throws Exception {
        GatewayConfig config = parse("""
                listen:
                  host: ${HOST}
                  port: 0
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                """, Map.of("HOST", "a: [b]\nroutes: []"));

        assertThat(config.listen().host()).isEqualTo("a: [b]\nroutes: []");
        assertThat(config.routes()).hasSize(1);
    }

    @Test
    void keysAreNotSubstituted() throws Exception {
        GatewayConfig config = parse("""
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                    rateLimit: { perMinute: 10, plans: { "${PLAN}": { perMinute: 100 } } }
                """, Map.of("PLAN", "premium"));

        assertThat(config.routes().get(0).rateLimit().plans()).containsOnlyKeys("${PLAN}");
    }

    @Test
    void numbersAndBooleansComeFromVariablesToo() throws Exception {
        GatewayConfig config = parse("""
                listen:
                  port: ${PORT}
                routes:
                  - path: /api
                    upstreams: [{ url: http://stable:8080, weight: "${STABLE_WEIGHT:-95}" }]
                    retries: ${RETRIES}
                    stripAuthorization: ${STRIP}
                    websocket: ${WEBSOCKET:-true}
                    rateLimit: { perMinute: "${LIMIT}" }
                """, Map.of("PORT", "8181", "RETRIES", "2", "STRIP", "true", "LIMIT", "600"));

        GatewayConfig.RouteConfig route = config.routes().get(0);
        assertThat(config.listen().port()).isEqualTo(8181);
        assertThat(route.upstreams().get(0).weight()).isEqualTo(95);
        assertThat(route.retries()).isEqualTo(2);
        assertThat(route.stripAuthorization()).isTrue();
        assertThat(route.websocket().toSettings()).isNotNull();
        assertThat(route.rateLimit().perMinute()).isEqualTo(600L);
    }

    @Test
    void aVariableThatIsNoNumberIsAnErrorAtTheNumbersLine() {
        assertThatThrownBy(() -> parse("""
                        listen:
                          port: ${PORT}
                        routes:
                          - path: /api
                            upstreams: [builtin:echo]
                        """, Map.of("PORT", "eighty")))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class)
                .hasMessageStartingWith("gateway.yaml line 2, column")
                .hasMessageContaining("listen.port")
                .hasMessageContaining("eighty");
    }

    @Test
    void aLoadedFileReadsTheProcessEnvironment() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listen:
                  host: ${GATEHOUSE_TEST_UNSET_VARIABLE_7F3A:-127.0.0.2}
                routes:
                  - path: /api
                    upstreams: [builtin:echo]
                """);

        GatewayConfig config = GatewayConfigLoader.load(file);

        assertThat(config.listen().host()).isEqualTo("127.0.0.2");
    }

    @Test
    void aValueWithoutReferencesIsReturnedAsWritten() {
        Function<String, String> none = name -> {
            throw new AssertionError("looked up " + name);
        };

        assertThat(EnvironmentSubstitutingParser.substitute("a $ b $$ c $x {y}", none))
                .isEqualTo("a $ b $$ c $x {y}");
    }
}
