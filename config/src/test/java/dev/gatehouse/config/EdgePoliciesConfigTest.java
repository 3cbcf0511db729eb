package dev.gatehouse.config;

import static dev.gatehouse.config.RouteTableFactoryTest.API_KEYS;
import static dev.gatehouse.config.RouteTableFactoryTest.KEY;
import static dev.gatehouse.config.RouteTableFactoryTest.OUTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CORS, security headers, IP rules and header transforms, as the configuration describes them. */
class EdgePoliciesConfigTest {
    static final CorsConfig CORS = new CorsConfig(
            List.of("https://app.example.com"), List.of("GET", "POST"), List.of("Authorization"), null, true, "10m");

    static RouteConfig route(
            String auth,
            CorsConfig cors,
            SecurityHeadersConfig securityHeaders,
            IpRulesConfig ipRules,
            HeaderTransformsConfig headers) {
        return new RouteConfig(
                "/api",
                null,
                auth,
                null,
                null,
                null,
                null,
                null,
                null,
                cors,
                securityHeaders,
                ipRules,
                headers,
                null,
                null);
    }

    static PolicyChain chain(GatehouseConfig config) {
        return RouteTableFactory.of(config)
                .routeTable(OUTER)
                .select("GET", "/api/x")
                .chain();
    }

    static PolicyChain chain(RouteConfig route) {
        return chain(new GatehouseConfig(null, API_KEYS, null, List.of(route)));
    }

    @Test
    void aPreflightOnAnAuthenticatedRouteIsAnsweredBeforeAuthentication() {
        PolicyChain chain = chain(route("required", CORS, null, null, null));

        FakeResponse preflight = FakeHost.serve(
                chain,
                FakeExchange.of("OPTIONS", "/api/x")
                        .header("Origin", "https://app.example.com")
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization"),
                exchange -> FakeResponse.ok("the service"));

        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers().first("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(preflight.headers().first("Access-Control-Allow-Methods")).hasValue("GET, POST");
        assertThat(preflight.headers().first("Access-Control-Allow-Credentials"))
                .hasValue("true");
        assertThat(preflight.headers().first("Access-Control-Max-Age")).hasValue("600");
    }

    @Test
    void topLevelDefaultsApplyToEveryRouteAndARoutesOwnValueWins() {
        IpRulesConfig denyDocumentation = new IpRulesConfig(null, List.of("192.0.2.0/24"));
        RouteConfig plain = route("none", null, null, null, null);
        RouteConfig ownRules = route(
                "none",
                null,
                SecurityHeadersConfig.valueOf(false),
                new IpRulesConfig(List.of("192.0.2.0/24"), null),
                null);
        GatehouseConfig defaults = new GatehouseConfig(
                null, null, null, List.of(), CORS, SecurityHeadersConfig.valueOf(true), denyDocumentation);

        PolicyChain inherited = chain(new GatehouseConfig(
                null, null, null, List.of(plain), defaults.cors(), defaults.securityHeaders(), defaults.ipRules()));
        PolicyChain overridden = chain(new GatehouseConfig(
                null, null, null, List.of(ownRules), defaults.cors(), defaults.securityHeaders(), defaults.ipRules()));
        FakeExchange client = FakeExchange.get("/api/x").from("192.0.2.7");

        assertThat(inherited.names()).contains("ip-filter", "cors", "security-headers");
        assertThat(FakeHost.serve(inherited, client, exchange -> FakeResponse.ok("in"))
                        .status())
                .isEqualTo(403);
        assertThat(overridden.names()).contains("ip-filter", "cors").doesNotContain("security-headers");
        assertThat(FakeHost.serve(overridden, FakeExchange.get("/api/x").from("192.0.2.7"), e -> FakeResponse.ok("in"))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aDeniedNetworkIsRefusedEvenInsideAnAllowedOne() {
        PolicyChain chain = chain(
                route("none", null, null, new IpRulesConfig(List.of("10.0.0.0/8"), List.of("10.6.0.0/16")), null));

        FakeResponse denied =
                FakeHost.serve(chain, FakeExchange.get("/api/x").from("10.6.1.1"), e -> FakeResponse.ok("in"));
        FakeResponse outside =
                FakeHost.serve(chain, FakeExchange.get("/api/x").from("192.0.2.7"), e -> FakeResponse.ok("in"));
        FakeResponse allowed =
                FakeHost.serve(chain, FakeExchange.get("/api/x").from("10.1.2.3"), e -> FakeResponse.ok("in"));

        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(outside.status()).isEqualTo(403);
        assertThat(allowed.status()).isEqualTo(200);
    }

    @Test
    void securityHeadersFollowTheirSettingsAndHstsOnlyOnHttps() {
        SecurityHeadersConfig settings = new SecurityHeadersConfig(
                null, new HstsConfig(null, "17520h", true, true), null, List.of("'self'"), "same-origin", null);
        PolicyChain chain = chain(route("none", null, settings, null, null));

        FakeResponse https =
                FakeHost.serve(chain, FakeExchange.get("/api/x").withScheme("https"), e -> FakeResponse.ok("page"));
        FakeResponse http = FakeHost.serve(chain, FakeExchange.get("/api/x"), e -> FakeResponse.ok("page"));

        assertThat(https.headers().first("Strict-Transport-Security"))
                .hasValue("max-age=63072000; includeSubDomains; preload");
        assertThat(https.headers().first("Content-Security-Policy")).hasValue("frame-ancestors 'self'");
        assertThat(https.headers().first("X-Frame-Options")).isEmpty();
        assertThat(https.headers().first("Referrer-Policy")).hasValue("same-origin");
        assertThat(https.headers().first("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(http.headers().first("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void hstsFollowsTheTrustedProxiesForwardedProtoAndIgnoresAnyoneElses() {
        RouteConfig route = route("none", null, SecurityHeadersConfig.valueOf(true), null, null);
        PolicyChain chain = chain(new GatehouseConfig(null, null, List.of("10.0.0.0/8"), List.of(route)));

        FakeResponse viaProxy = FakeHost.serve(
                chain,
                FakeExchange.get("/api/x").from("10.0.0.5").header("X-Forwarded-Proto", "https"),
                e -> FakeResponse.ok("page"));
        FakeResponse spoofed = FakeHost.serve(
                chain,
                FakeExchange.get("/api/x").from("192.0.2.7").header("X-Forwarded-Proto", "https"),
                e -> FakeResponse.ok("page"));

        assertThat(viaProxy.headers().first("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(spoofed.headers().first("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void headerTransformsTemplateFromThePrincipalAndRemoveFields() {
        HeaderTransformsConfig headers = new HeaderTransformsConfig(
                new HeaderTransformsConfig.Transforms(
                        Map.of("X-Plan-Seen", "plan={principal.plan}"),
                        Map.of("X-Owner", "{principal.subject}"),
                        List.of("Cookie")),
                new HeaderTransformsConfig.Transforms(
                        null, Map.of("X-Served-For", "{principal.subject}"), List.of("Server")));
        PolicyChain chain = chain(route("required", null, null, null, headers));
        Map<String, String> seen = new java.util.HashMap<>();

        FakeResponse response = FakeHost.serve(
                chain,
                FakeExchange.get("/api/x")
                        .header("X-Api-Key", KEY)
                        .header("Cookie", "session=1")
                        .header("X-Owner", "mallory"),
                exchange -> {
                    exchange.requestHeaders().first("X-Owner").ifPresent(v -> seen.put("owner", v));
                    exchange.requestHeaders().first("X-Plan-Seen").ifPresent(v -> seen.put("plan", v));
                    exchange.requestHeaders().first("Cookie").ifPresent(v -> seen.put("cookie", v));
                    return FakeResponse.ok("ok").header("Server", "backend/1.0");
                });

        assertThat(chain.names()).containsSubsequence("auth", "header-transform");
        assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("owner", "tester", "plan", "plan=free"));
        assertThat(response.headers().first("X-Served-For")).hasValue("tester");
        assertThat(response.headers().first("Server")).isEmpty();
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> new CorsConfig(List.of("https://App.example.com"), null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("origin: https://App.example.com (expected: scheme://host[:port] in lower case");
        assertThatThrownBy(() -> new CorsConfig(List.of("*"), null, null, null, true, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowCredentials");
        assertThatThrownBy(() -> new CorsConfig(null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("origins: none");
        assertThatThrownBy(() -> new CorsConfig(List.of("https://a.example"), null, null, null, null, "forever"))
                .hasMessage("duration forever (expected: e.g. 500ms, 10s, 2m, 1h)");
        assertThatThrownBy(() -> new SecurityHeadersConfig(null, null, "ALLOW-FROM x", null, null, null))
                .hasMessage("frameOptions: ALLOW-FROM x (expected: DENY or SAMEORIGIN)");
        assertThatThrownBy(() -> new SecurityHeadersConfig(null, null, null, null, "never", null))
                .hasMessageStartingWith("referrerPolicy: never (expected: one of [no-referrer");
        assertThatThrownBy(() -> new SecurityHeadersConfig(null, null, "DENY", List.of("'self'"), null, null))
                .hasMessageStartingWith("frameOptions DENY with frameAncestors (expected: one or the other");
        assertThatThrownBy(() -> new HstsConfig(null, "1h", false, true))
                .hasMessage("preload: true (expected: includeSubDomains and a maxAge of at least a year)");
        assertThatThrownBy(() -> new IpRulesConfig(List.of("10.0.0.0/33"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> new IpRulesConfig(List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("networks: none");
        assertThatThrownBy(() -> new HeaderTransformsConfig(
                        new HeaderTransformsConfig.Transforms(null, Map.of("X-Tenant", "{principal.tenat}"), null),
                        null))
                .hasMessageStartingWith("X-Tenant: {principal.tenat} (expected: placeholders");
        assertThatThrownBy(() -> new HeaderTransformsConfig(
                        new HeaderTransformsConfig.Transforms(null, Map.of("X-User-Id", "admin"), null), null))
                .hasMessageContaining("X-User-Id: set admin (expected: an identity header only set from");
        assertThatThrownBy(() -> new HeaderTransformsConfig(
                        new HeaderTransformsConfig.Transforms(null, null, List.of("Content-Length")), null))
                .hasMessage("header: Content-Length (expected: not a framing or hop-by-hop header)");
    }
}
