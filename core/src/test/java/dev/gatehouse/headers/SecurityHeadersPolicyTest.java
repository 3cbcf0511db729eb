package dev.gatehouse.headers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SecurityHeadersPolicyTest {
    /** A guard that refuses everything, as authentication refuses a request without a token. */
    static final OffloadPolicy REFUSE = new OffloadPolicy() {
        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.reject(401, "no");
        }

        @Override
        public Placement placement() {
            return Placement.GUARD;
        }
    };

    static FakeResponse serve(PolicyChain chain, FakeExchange exchange, FakeResponse service) {
        return FakeHost.serve(chain, exchange, e -> service);
    }

    @Test
    void hstsIsSentWhenATrustedTlsTerminatingProxySaysTheClientUsedHttps() {
        PolicyChain chain = PolicyChain.of(SecurityHeadersPolicy.builder()
                .clientAddress(ClientAddress.trusting("10.0.0.0/8"))
                .build());

        FakeResponse viaProxy = serve(
                chain,
                FakeExchange.get("/").from("10.1.2.3").header("x-forwarded-proto", "HTTPS"),
                FakeResponse.ok("x"));
        FakeResponse proxyOverHttp = serve(
                chain,
                FakeExchange.get("/").from("10.1.2.3").header("X-Forwarded-Proto", "https, http"),
                FakeResponse.ok("x"));

        assertThat(viaProxy.headers().first("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(proxyOverHttp.headers().contains("Strict-Transport-Security"))
                .as("the nearest proxy's value counts")
                .isFalse();
    }

    @Test
    void anUntrustedPeersForwardedProtoIsIgnored() {
        PolicyChain trusting = PolicyChain.of(SecurityHeadersPolicy.builder()
                .clientAddress(ClientAddress.trustingForwarded("10.0.0.0/8"))
                .build());
        PolicyChain direct = PolicyChain.of(SecurityHeadersPolicy.ofDefaults());

        FakeResponse untrusted = serve(
                trusting,
                FakeExchange.get("/").from("192.0.2.9").header("Forwarded", "for=192.0.2.9;proto=https"),
                FakeResponse.ok("x"));
        FakeResponse noProxies = serve(
                direct,
                FakeExchange.get("/").from("10.1.2.3").header("X-Forwarded-Proto", "https"),
                FakeResponse.ok("x"));
        FakeResponse trusted = serve(
                trusting,
                FakeExchange.get("/").from("10.1.2.3").header("Forwarded", "for=192.0.2.9;proto=\"https\""),
                FakeResponse.ok("x"));

        assertThat(untrusted.headers().contains("Strict-Transport-Security")).isFalse();
        assertThat(noProxies.headers().contains("Strict-Transport-Security")).isFalse();
        assertThat(trusted.headers().first("Strict-Transport-Security")).hasValue("max-age=31536000");
    }

    @Test
    void addsTheDefaultsAndHstsOnlyOverHttps() {
        PolicyChain chain = PolicyChain.of(SecurityHeadersPolicy.ofDefaults());

        FakeResponse https = serve(chain, FakeExchange.get("/").withScheme("https"), FakeResponse.ok("x"));
        FakeResponse http = serve(chain, FakeExchange.get("/"), FakeResponse.ok("x"));

        assertThat(https.headers().first("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(https.headers().first("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(https.headers().first("X-Frame-Options")).hasValue("DENY");
        assertThat(https.headers().first("Referrer-Policy")).hasValue("no-referrer");
        assertThat(https.headers().contains("Content-Security-Policy")).isFalse();
        assertThat(http.headers().contains("Strict-Transport-Security")).isFalse();
        assertThat(http.headers().first("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void keepsWhatTheServiceSetUnlessTheRouteOverrides() {
        FakeResponse service = FakeResponse.ok("x")
                .header("X-Frame-Options", "SAMEORIGIN")
                .header("referrer-policy", "origin")
                .header("Strict-Transport-Security", "max-age=60");
        FakeExchange https = FakeExchange.get("/").withScheme("https");

        FakeResponse kept = serve(PolicyChain.of(SecurityHeadersPolicy.ofDefaults()), https, service);
        FakeResponse overridden = serve(
                PolicyChain.of(SecurityHeadersPolicy.builder().overrideService().build()),
                FakeExchange.get("/").withScheme("https"),
                service);

        assertThat(kept.headers().all("X-Frame-Options")).containsExactly("SAMEORIGIN");
        assertThat(kept.headers().all("Referrer-Policy")).containsExactly("origin");
        assertThat(kept.headers().all("Strict-Transport-Security")).containsExactly("max-age=60");
        assertThat(overridden.headers().all("X-Frame-Options")).containsExactly("DENY");
        assertThat(overridden.headers().all("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(overridden.headers().all("Strict-Transport-Security")).containsExactly("max-age=31536000");
    }

    @Test
    void gatehousesOwnProblemResponsesGetARestrictiveCspEvenFromAGuardWrittenFirst() {
        FakeResponse refused = serve(
                PolicyChain.of(REFUSE, SecurityHeadersPolicy.ofDefaults()), FakeExchange.get("/"), FakeResponse.ok(""));
        FakeResponse servicesProblem = serve(
                PolicyChain.of(SecurityHeadersPolicy.ofDefaults()),
                FakeExchange.get("/"),
                FakeResponse.of(404).header("Content-Type", "application/problem+json"));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.headers().first("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(refused.headers().first("Content-Security-Policy"))
                .hasValue("default-src 'none'; frame-ancestors 'none'");
        assertThat(servicesProblem.headers().contains("Content-Security-Policy"))
                .isFalse();
    }

    @Test
    void frameAncestorsReplacesFrameOptionsAndTheOtherValuesAreConfigurable() {
        SecurityHeadersPolicy policy = SecurityHeadersPolicy.builder()
                .frameAncestors("'self'", "https://portal.example.com")
                .referrerPolicy("strict-origin-when-cross-origin")
                .hsts(Duration.ofDays(730), true, true)
                .build();

        FakeResponse response =
                serve(PolicyChain.of(policy), FakeExchange.get("/").withScheme("https"), FakeResponse.ok("x"));

        assertThat(response.headers().contains("X-Frame-Options")).isFalse();
        assertThat(response.headers().first("Content-Security-Policy"))
                .hasValue("frame-ancestors 'self' https://portal.example.com");
        assertThat(response.headers().first("Referrer-Policy")).hasValue("strict-origin-when-cross-origin");
        assertThat(response.headers().first("Strict-Transport-Security"))
                .hasValue("max-age=63072000; includeSubDomains; preload");
    }

    @Test
    void refusesValuesBrowsersWouldNotUnderstand() {
        assertThatThrownBy(() -> SecurityHeadersPolicy.builder().frameOptions("ALLOW-FROM x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("frameOptions: ALLOW-FROM x");
        assertThatThrownBy(() -> SecurityHeadersPolicy.builder().referrerPolicy("never"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("referrerPolicy: never");
        assertThatThrownBy(() -> SecurityHeadersPolicy.builder().hsts(Duration.ofDays(1), true, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("preload: true");
        assertThatThrownBy(() -> SecurityHeadersPolicy.builder().frameAncestors("'self'; script-src *"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
