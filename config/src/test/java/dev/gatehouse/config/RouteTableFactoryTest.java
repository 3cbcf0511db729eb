package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableFactoryTest {
    static final String KEY = "gh_test_0123456789abcdef0123";
    static final AuthConfig API_KEYS = new AuthConfig(
            null,
            List.of(new ApiKeyConfig(ApiKeyAuthenticator.digestOf(KEY), "tester", "free", List.of("orders:read"))),
            new IdentityHeadersConfig("X-Caller", null, null, null, Map.of()),
            null,
            null,
            null,
            null);
    static final PolicyChain OUTER = PolicyChain.builder()
            .add("request-id", RequestIdPolicy.ofDefaults())
            .build();

    static RouteConfig route(String path, String auth, RateLimitConfig rateLimit) {
        return new RouteConfig(
                path,
                null,
                auth,
                null,
                rateLimit,
                CompressionConfig.valueOf(true),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void aPrefixTakesThePathAndEverythingBelowItButNotALongerName() {
        RouteConfig api = RouteConfig.of("/api");

        assertThat(api.pattern()).isEqualTo("/api/**");
        assertThat(RouteConfig.of("/").pattern()).isEqualTo("/**");
        assertThat(RouteConfig.of("/users/*/orders").pattern()).isEqualTo("/users/*/orders");
        RouteTable table = RouteTableFactory.of(new GatehouseConfig(null, null, null, List.of(api)))
                .routeTable(OUTER);
        assertThat(table.select("GET", "/api").pattern()).isEqualTo("/api/**");
        assertThat(table.select("GET", "/api/orders/7").pattern()).isEqualTo("/api/**");
        assertThat(table.select("GET", "/apis").pattern()).isEqualTo("/**");
    }

    @Test
    void theMostSpecificRouteIsTriedFirstWhateverTheOrderWritten() {
        GatehouseConfig config = new GatehouseConfig(
                null,
                API_KEYS,
                null,
                List.of(
                        route("/", "none", null),
                        route("/api/admin", "required", null),
                        route("/api", "optional", null)));

        RouteTable table = RouteTableFactory.of(config).routeTable(OUTER);

        assertThat(table.select("GET", "/api/admin/x").chain().names()).contains("auth");
        assertThat(table.select("GET", "/api/admin/x").pattern()).isEqualTo("/api/admin/**");
        assertThat(table.select("GET", "/api/x").pattern()).isEqualTo("/api/**");
        assertThat(table.select("GET", "/other").pattern()).isEqualTo("/**");
    }

    @Test
    void aRouteRunsTheOuterPoliciesThenItsOwnInTheDocumentedOrder() {
        RouteConfig route = new RouteConfig(
                "/api",
                List.of("post"),
                "required",
                List.of("orders:read"),
                new RateLimitConfig("principal", null, 10L, null, null, null, null, null, null, null, null, null, null),
                CompressionConfig.valueOf(true),
                IdempotencyConfig.valueOf(true),
                DecompressionConfig.valueOf(true),
                true,
                null,
                null,
                null,
                null,
                null,
                null);
        RouteTableFactory factory = RouteTableFactory.of(new GatehouseConfig(null, API_KEYS, null, List.of(route)));

        PolicyChain chain = factory.chain(route, OUTER);

        assertThat(chain.names())
                .containsExactly(
                        "request-id",
                        "auth",
                        "scope",
                        "ratelimit",
                        "request-decompression",
                        "compression",
                        "idempotency",
                        "strip-authorization");
        assertThat(route.methods()).containsExactly("POST");
        assertThat(factory.chain(
                                route(
                                        "/x",
                                        "none",
                                        new RateLimitConfig(
                                                null, 5L, null, null, null, null, null, null, null, null, null, null,
                                                null)),
                                OUTER)
                        .names())
                .as("a limit keyed by the address runs before authentication")
                .containsExactly("request-id", "ratelimit", "compression");
    }

    @Test
    void aRouteThatAuthenticatesSetsTheConfiguredIdentityHeaderAndRefusesWithoutACredential() {
        RouteConfig route = route("/api", "required", null);
        RouteTable table = RouteTableFactory.of(new GatehouseConfig(null, API_KEYS, null, List.of(route)))
                .routeTable(OUTER);
        PolicyChain chain = table.select("GET", "/api/orders").chain();

        FakeResponse refused =
                FakeHost.serve(chain, FakeExchange.get("/api/orders"), exchange -> FakeResponse.ok("no"));
        String[] caller = new String[1];
        FakeResponse served =
                FakeHost.serve(chain, FakeExchange.get("/api/orders").header("X-Api-Key", KEY), exchange -> {
                    caller[0] = exchange.requestHeaders().first("X-Caller").orElse(null);
                    return FakeResponse.ok("yes");
                });

        assertThat(refused.status()).isEqualTo(401);
        assertThat(served.status()).isEqualTo(200);
        assertThat(caller[0]).as("the configured identity header").isEqualTo("tester");
        assertThat(table.protectedRequestHeaders().matches("x-caller"))
                .as("client copies of the configured identity header are removed on every route")
                .isTrue();
    }

    @Test
    void aRouteThatAuthenticatesWithoutAnAuthSectionIsRefusedByName() {
        GatehouseConfig config = new GatehouseConfig(null, null, null, List.of(route("/api", "required", null)));

        assertThatThrownBy(() -> RouteTableFactory.of(config).routeTable(OUTER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "route /api: auth required but no credentials (expected: an auth section with jwt, introspection, apiKeys or clientCertificates)");
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> new RateLimitConfig(
                        null, null, -5L, null, null, null, null, null, null, null, null, null, null))
                .hasMessage("perMinute -5 (expected: 1 or more requests)");
        assertThatThrownBy(() -> new RateLimitConfig(
                        "tenant", null, 5L, null, null, null, null, null, null, null, null, null, null))
                .hasMessage("key tenant (expected: address, principal, apiKey, route, plan or header:<Name>)");
        assertThatThrownBy(() -> new RouteConfig(
                        "/api", null, "always", null, null, null, null, null, null, null, null, null, null, null, null))
                .hasMessage("auth always (expected: none, optional or required)");
        assertThatThrownBy(() -> new RouteConfig(
                        "api", null, null, null, null, null, null, null, null, null, null, null, null, null, null))
                .hasMessageContaining("path api (expected: a prefix or pattern starting with /)");
        assertThatThrownBy(() -> new RouteConfig(
                        "/a*b", null, null, null, null, null, null, null, null, null, null, null, null, null, null))
                .hasMessageContaining("expected: * and ** only as whole segments");
        assertThatThrownBy(() -> new CompressionConfig(null, null, null, 12, null, null, null, null))
                .hasMessage("level 12 (expected: 1..9)");
        assertThatThrownBy(() -> new IdempotencyConfig(null, null, null, "forever", null, null, null, null, null))
                .hasMessage("duration forever (expected: e.g. 500ms, 10s, 2m, 1h)");
        assertThatThrownBy(() -> new DecompressionConfig(null, "lots", null, null, null))
                .hasMessage("size lots (expected: e.g. 1000, 512KiB, 10MiB)");
        assertThatThrownBy(() -> new GatehouseConfig("http://cache:6379", null, null, null))
                .hasMessage(
                        "redis http://cache:6379 (expected: redis://host:port, redis-sentinel://host:port,host:port#master"
                                + " or redis-cluster://host:port,host:port)");
        assertThat(new GatehouseConfig("redis-cluster://10.0.0.1:7000,10.0.0.2:7000", null, null, null).redis())
                .startsWith("redis-cluster://");
        assertThatThrownBy(() -> new GatehouseConfig(null, null, List.of("10.0.0.0/33"), null))
                .hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> new ApiKeyConfig(KEY, "tester", "free", null))
                .hasMessageContaining("sha256 " + KEY + " (expected: 64 hex digits");
        assertThatThrownBy(() -> new KeyConfig("k", "HS999", "c2VjcmV0", null))
                .hasMessageContaining("alg HS999 (expected: HS256, HS384, HS512, RS256");
        assertThatThrownBy(() -> new KeyConfig("k", "HS256", "c2VjcmV0", null))
                .as("a secret shorter than the hash")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuthConfig(null, null, null, null, null, null, null))
                .hasMessage("no credentials (expected: jwt, introspection, apiKeys or clientCertificates)");
    }

    @Test
    void theShorthandsTrueAndFalseReadAsEnabledWithDefaults() {
        assertThat(CompressionConfig.valueOf("true").enabled()).isTrue();
        assertThat(CompressionConfig.valueOf("true").isDefault()).isTrue();
        assertThat(IdempotencyConfig.valueOf("false").enabled()).isFalse();
        assertThat(DecompressionConfig.valueOf("true").enabled()).isTrue();
        assertThatThrownBy(() -> CompressionConfig.valueOf("yes"))
                .hasMessage("value yes (expected: true, false or settings)");
    }
}
