package dev.gatehouse.config;

import static dev.gatehouse.config.RouteTableFactoryTest.OUTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.TestCertificates;
import dev.gatehouse.testing.TestCertificates.Authority;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

/** Client certificates as a credential in the configuration vocabulary. */
class ClientCertificatesConfigTest {
    static final Authority CA = TestCertificates.authority("CN=Mesh CA,O=Gatehouse");
    static final String SPIFFE_ID = "spiffe://example.org/ns/pay/sa/billing";

    static AuthConfig auth(ClientCertificatesConfig certificates) {
        return new AuthConfig(
                null,
                null,
                new IdentityHeadersConfig(null, null, null, null, Map.of("cert_subject", "X-Client-Cert-Subject")),
                certificates,
                null,
                null,
                null);
    }

    static PolicyChain chain(AuthConfig auth) {
        RouteConfig route = new RouteConfig(
                "/api",
                null,
                "required",
                List.of("orders:read"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        RouteTable table = RouteTableFactory.of(new GatehouseConfig(null, auth, null, List.of(route)))
                .routeTable(OUTER);
        return table.select("GET", "/api/orders").chain();
    }

    @Test
    void aSpiffeIdInTheCertificateBecomesThePrincipalWithItsScopesAndTheSubjectHeader() {
        PolicyChain chain = chain(auth(new ClientCertificatesConfig(
                "san:uri",
                List.of("CN=Mesh CA,O=Gatehouse"),
                List.of("spiffe://example\\.org/.*"),
                List.of("orders:read"),
                "internal")));
        Map<String, String> seen = new HashMap<>();

        FakeResponse served = FakeHost.serve(
                chain,
                FakeExchange.get("/api/orders")
                        .withClientCertificates(CA.issue(
                                        "CN=billing,O=Gatehouse",
                                        new GeneralName(GeneralName.uniformResourceIdentifier, SPIFFE_ID))
                                .chain())
                        .header("X-CLIENT-CERT-SUBJECT", "CN=admin"),
                exchange -> {
                    exchange.requestHeaders().forEach(seen::put);
                    return FakeResponse.ok("yes");
                });

        assertThat(served.status()).isEqualTo(200);
        assertThat(seen)
                .containsEntry("X-User-Id", SPIFFE_ID)
                .containsEntry("X-Plan", "internal")
                .containsEntry("X-Client-Cert-Subject", "CN=billing,O=Gatehouse")
                .doesNotContainKey("X-CLIENT-CERT-SUBJECT");
    }

    @Test
    void withoutACertificateTheRouteIs401WithTheClientCertificateChallenge() {
        PolicyChain chain = chain(auth(new ClientCertificatesConfig(null, null, null, List.of("orders:read"), null)));

        FakeResponse refused =
                FakeHost.serve(chain, FakeExchange.get("/api/orders"), exchange -> FakeResponse.ok("no"));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.headers().first("WWW-Authenticate")).hasValue("ClientCertificate");
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> new ClientCertificatesConfig("san:ip", null, null, null, null))
                .hasMessageStartingWith("identity: san:ip (expected: subject:CN,");
        assertThatThrownBy(() -> new ClientCertificatesConfig(null, List.of("nope"), null, null, null))
                .hasMessageStartingWith("issuer: nope (expected:");
        assertThatThrownBy(() -> new ClientCertificatesConfig(null, null, List.of("(unclosed"), null, null))
                .hasMessageStartingWith("subject: (unclosed (expected:");
        assertThatThrownBy(() -> new ClientCertificatesConfig(null, null, null, List.of("two words"), null))
                .hasMessage("scope: two words (expected: 1..256 visible ASCII)");
    }
}
