package dev.gatehouse.ipfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.DecisionLog;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Allow and deny lists on the trusted client address, before every guard. */
class IpFilterPolicyTest {
    final IpFilterPolicy policy = IpFilterPolicy.builder()
            .allow("10.0.0.0/8", "2001:db8::/32", "::ffff:192.168.0.0/112")
            .deny("10.6.6.0/24", "2001:db8:bad::/48")
            .build();

    static boolean admitted(Decision decision) {
        return decision instanceof Decision.Proceed;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.1.2.3, true",
        "10.6.6.7, false",
        "11.0.0.1, false",
        "2001:db8::1, true",
        "2001:DB8:0:0:0:0:0:2, true",
        "[2001:db8::3], true",
        "2001:db8:bad::1, false",
        "2001:db9::1, false",
        "::ffff:10.1.2.3, true",
        "::ffff:10.6.6.1, false",
        "192.168.4.5, true",
        "::ffff:192.168.4.5, true",
        "192.169.0.1, false",
        "unix-socket, false",
        "010.1.2.3, false"
    })
    void decidesByTheClientsNetworkWithDenyOverAllow(String client, boolean expected) {
        assertThat(admitted(policy.onRequest(FakeExchange.get("/").from(client))))
                .isEqualTo(expected);
    }

    @Test
    void aRefusalIs403ProblemWithTheAddressAndRuleLogged() {
        FakeExchange exchange = FakeExchange.get("/").from("10.6.6.7");

        FakeResponse response = FakeHost.serve(PolicyChain.of(policy), exchange, e -> FakeResponse.ok("x"));

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(response.bodyText()).contains("\"status\":403");
        assertThat(DecisionLog.of(exchange).entries())
                .extracting(DecisionLog.Entry::toString)
                .containsExactly("ip-filter:reject(client 10.6.6.7 in denied 10.6.6.0/24)");
    }

    @Test
    void aDeniedClientCostsNoRateLimitTokenAndNoServiceCallWhateverTheOrderWritten() {
        RateLimitPolicy limit = RateLimitPolicy.builder()
                .limits(Limit.of("minute", 1, Duration.ofMinutes(1)))
                .key(dev.gatehouse.ratelimit.RateLimitKey.of(e -> java.util.Optional.of("everyone")))
                .build();
        PolicyChain chain = PolicyChain.of(limit, IpFilterPolicy.denying("192.0.2.0/24"));
        AtomicInteger calls = new AtomicInteger();

        FakeResponse denied = FakeHost.serve(chain, FakeExchange.get("/").from("192.0.2.9"), e -> {
            calls.incrementAndGet();
            return FakeResponse.ok("x");
        });
        FakeResponse admitted = FakeHost.serve(chain, FakeExchange.get("/").from("198.51.100.1"), e -> {
            calls.incrementAndGet();
            return FakeResponse.ok("x");
        });

        assertThat(chain.names()).containsExactly("ip-filter", "ratelimit");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.headers().contains("RateLimit")).isFalse();
        assertThat(admitted.status()).isEqualTo(200);
        assertThat(calls).hasValue(1);
    }

    @Test
    void readsTheClientBehindTrustedProxiesNotTheForwardingHeaderOfAnUntrustedPeer() {
        IpFilterPolicy behindProxy = IpFilterPolicy.builder()
                .deny("203.0.113.0/24")
                .clientAddress(ClientAddress.trusting("10.0.0.0/8"))
                .build();

        Decision viaProxy =
                behindProxy.onRequest(FakeExchange.get("/").from("10.0.0.2").header("X-Forwarded-For", "203.0.113.5"));
        Decision spoofed = behindProxy.onRequest(
                FakeExchange.get("/").from("203.0.113.5").header("X-Forwarded-For", "198.51.100.1"));

        assertThat(admitted(viaProxy)).isFalse();
        assertThat(admitted(spoofed)).isFalse();
    }

    @Test
    void refusesAPolicyWithoutNetworksAndMalformedNetworks() {
        assertThatThrownBy(() -> IpFilterPolicy.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("networks: none");
        assertThatThrownBy(() -> IpFilterPolicy.allowing("10.0.0.0/33"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("network: 10.0.0.0/33 (expected: a prefix of 0..32)");
        assertThatThrownBy(() -> IpFilterPolicy.denying("example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("network: example.com (expected: an IP address or CIDR)");
        assertThatThrownBy(() -> IpFilterPolicy.denying("::ffff:10.0.0.0/64"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("96..128");
    }
}
