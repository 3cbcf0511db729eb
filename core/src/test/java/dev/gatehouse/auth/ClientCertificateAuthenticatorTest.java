package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.Principal;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.TestCertificates;
import dev.gatehouse.testing.TestCertificates.Authority;
import dev.gatehouse.testing.TestCertificates.Issued;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

class ClientCertificateAuthenticatorTest {
    static final Authority ORDERS_CA = TestCertificates.authority("CN=Orders CA,O=Gatehouse");
    static final Authority OTHER_CA = TestCertificates.authority("CN=Other CA,O=Gatehouse");
    static final Issued BILLING = ORDERS_CA.issue(
            "CN=billing,OU=payments,O=Gatehouse",
            new GeneralName(GeneralName.dNSName, "billing.internal"),
            new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/ns/pay/sa/billing"),
            new GeneralName(GeneralName.rfc822Name, "billing@example.org"));

    final MutableClock clock = new MutableClock(Instant.now());

    static FakeExchange presenting(Issued certificate) {
        return FakeExchange.get("/orders").withClientCertificates(certificate.chain());
    }

    @Test
    void theCommonNameBecomesThePrincipalWithTheConfiguredScopesAndPlan() {
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.builder()
                .scopes(Set.of("orders:read"))
                .plan("internal")
                .build();

        Authentication result = certificates.authenticate(presenting(BILLING));

        assertThat(result).isInstanceOfSatisfying(Authentication.Authenticated.class, ok -> {
            Principal principal = ok.principal();
            assertThat(principal.subject()).isEqualTo("billing");
            assertThat(principal.scopes()).containsExactly("orders:read");
            assertThat(principal.plan()).hasValue("internal");
            assertThat(principal.method()).isEqualTo("client-certificate");
            assertThat(principal.claims())
                    .containsEntry(ClientCertificateAuthenticator.SUBJECT_CLAIM, "CN=billing,OU=payments,O=Gatehouse")
                    .containsEntry(ClientCertificateAuthenticator.ISSUER_CLAIM, "CN=Orders CA,O=Gatehouse")
                    .containsKey(ClientCertificateAuthenticator.FINGERPRINT_CLAIM);
        });
    }

    @Test
    void eachIdentityKindReadsItsField() {
        assertThat(subjectWith(CertificateIdentity.parse("subject:OU"))).isEqualTo("payments");
        assertThat(subjectWith(CertificateIdentity.parse("san:dns"))).isEqualTo("billing.internal");
        assertThat(subjectWith(CertificateIdentity.parse("san:uri")))
                .isEqualTo("spiffe://example.org/ns/pay/sa/billing");
        assertThat(subjectWith(CertificateIdentity.parse("san:email"))).isEqualTo("billing@example.org");
    }

    private String subjectWith(CertificateIdentity identity) {
        Authentication result = ClientCertificateAuthenticator.builder()
                .identity(identity)
                .build()
                .authenticate(presenting(BILLING));
        return ((Authentication.Authenticated) result).principal().subject();
    }

    @Test
    void aRequestWithoutACertificateIsLeftToTheNextAuthenticator() {
        Authentication result = ClientCertificateAuthenticator.ofDefaults().authenticate(FakeExchange.get("/"));

        assertThat(result).isInstanceOf(Authentication.Absent.class);
    }

    @Test
    void aCertificateWithoutTheIdentityFieldIsRefusedWithTheReason() {
        Issued noSan = ORDERS_CA.issue("CN=bare,O=Gatehouse");
        Authentication result = ClientCertificateAuthenticator.builder()
                .identity(CertificateIdentity.subjectAlternativeName("uri"))
                .build()
                .authenticate(presenting(noSan));

        assertThat(result).isInstanceOfSatisfying(Authentication.Failed.class, failed -> {
            assertThat(failed.fault()).isEqualTo(Authentication.Fault.INVALID_CREDENTIAL);
            assertThat(failed.reason()).isEqualTo("no san:uri in CN=bare,O=Gatehouse");
        });
    }

    @Test
    void onlyTheAllowedIssuersAreAccepted() {
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.builder()
                .issuer("CN=Orders CA, O=Gatehouse")
                .build();

        assertThat(certificates.authenticate(presenting(BILLING))).isInstanceOf(Authentication.Authenticated.class);
        assertThat(certificates.authenticate(presenting(OTHER_CA.issue("CN=billing,O=Gatehouse"))))
                .isInstanceOfSatisfying(
                        Authentication.Failed.class,
                        failed -> assertThat(failed.reason()).isEqualTo("issuer CN=Other CA,O=Gatehouse not accepted"));
    }

    @Test
    void onlyIdentitiesMatchingASubjectPatternAreAcceptedAndTheFirstMatchingOneNamesThePrincipal() {
        Issued twoNames = ORDERS_CA.issue(
                "CN=web",
                new GeneralName(GeneralName.dNSName, "www.example.org"),
                new GeneralName(GeneralName.dNSName, "api.orders.internal"));
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.builder()
                .identity(CertificateIdentity.subjectAlternativeName("dns"))
                .subject("[a-z]+\\.orders\\.internal")
                .build();

        assertThat(((Authentication.Authenticated) certificates.authenticate(presenting(twoNames)))
                        .principal()
                        .subject())
                .isEqualTo("api.orders.internal");
        assertThat(certificates.authenticate(presenting(BILLING)))
                .isInstanceOfSatisfying(
                        Authentication.Failed.class,
                        failed -> assertThat(failed.reason()).isEqualTo("san:dns [billing.internal] not accepted"));
    }

    @Test
    void theValidityPeriodIsCheckedAgainstTheInjectedClock() {
        ClientCertificateAuthenticator certificates =
                ClientCertificateAuthenticator.builder().clock(clock).build();
        Instant notAfter = BILLING.certificate().getNotAfter().toInstant();

        clock.set(notAfter.plusSeconds(1));
        assertThat(certificates.authenticate(presenting(BILLING)))
                .isInstanceOfSatisfying(Authentication.Failed.class, failed -> {
                    assertThat(failed.description()).isEqualTo("The client certificate has expired.");
                    assertThat(failed.reason()).isEqualTo("expired at " + notAfter);
                });
        clock.set(BILLING.certificate().getNotBefore().toInstant().minus(Duration.ofMinutes(1)));
        assertThat(certificates.authenticate(presenting(BILLING)))
                .isInstanceOfSatisfying(
                        Authentication.Failed.class,
                        failed ->
                                assertThat(failed.description()).isEqualTo("The client certificate is not yet valid."));
    }

    @Test
    void anIdentityThatCannotBeAHeaderValueIsRefused() {
        Issued hostile = ORDERS_CA.issue("CN=evil\u00e9\\, X-User-Id: admin,O=Gatehouse");

        assertThat(ClientCertificateAuthenticator.ofDefaults().authenticate(presenting(hostile)))
                .isInstanceOf(Authentication.Failed.class);
    }

    @Test
    void theAuthPolicyRefusesAnUnacceptedCertificateWith401AndTheClientCertificateChallenge() {
        AuthPolicy auth = AuthPolicy.anyOf(ClientCertificateAuthenticator.builder()
                .issuer("CN=Orders CA,O=Gatehouse")
                .build());

        Decision.Reject reject = (Decision.Reject) auth.onRequest(presenting(OTHER_CA.issue("CN=billing,O=Gatehouse")));

        assertThat(reject.status()).isEqualTo(401);
        assertThat(reject.response().headers().first("WWW-Authenticate"))
                .hasValue("ClientCertificate error=\"invalid_token\", "
                        + "error_description=\"The client certificate is not accepted.\"");
        assertThat(reject.reason()).hasValue("issuer CN=Other CA,O=Gatehouse not accepted");
    }

    @Test
    void withoutACertificateAnotherAuthenticatorOfThePolicyDecides() {
        String key = "gh_live_4f9c2b7e1d8a6035c2e9";
        AuthPolicy auth = AuthPolicy.anyOf(
                ClientCertificateAuthenticator.ofDefaults(),
                ApiKeyAuthenticator.builder()
                        .key(key, "reporting", "free", Set.of())
                        .build());

        Decision byKey = auth.onRequest(FakeExchange.get("/").header("X-Api-Key", key));
        Decision none = auth.onRequest(FakeExchange.get("/"));

        assertThat(byKey)
                .isInstanceOfSatisfying(
                        Decision.Proceed.class,
                        proceed -> assertThat(proceed.upstreamHeaders().first("X-User-Id"))
                                .hasValue("reporting"));
        assertThat(none)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.response().headers().all("WWW-Authenticate"))
                                .containsExactly("ClientCertificate", "ApiKey header=\"X-Api-Key\""));
    }

    @Test
    void theCertificateSubjectReachesTheServiceInAnIdentityHeaderAndAClientCopyIsRemoved() {
        AuthPolicy auth = AuthPolicy.builder()
                .authenticator(ClientCertificateAuthenticator.ofDefaults())
                .identityHeaders(IdentityHeaders.builder()
                        .claim(ClientCertificateAuthenticator.SUBJECT_CLAIM, "X-Client-Cert-Subject")
                        .build())
                .build();

        Decision.Proceed proceed =
                (Decision.Proceed) auth.onRequest(presenting(BILLING).header("x-client-cert_SUBJECT", "CN=admin"));

        assertThat(proceed.upstreamHeaders().first("X-Client-Cert-Subject"))
                .hasValue("CN=billing,OU=payments,O=Gatehouse");
        assertThat(proceed.upstreamHeaders().first("X-User-Id")).hasValue("billing");
        assertThat(proceed.removedHeaders()).containsExactly("x-client-cert_SUBJECT");
    }

    @Test
    void badSettingsNameTheCulprit() {
        assertThatThrownBy(() -> CertificateIdentity.parse("san:ip"))
                .hasMessage(
                        "identity: san:ip (expected: subject:CN, subject:<attribute>, san:dns, san:uri or san:email)");
        assertThatThrownBy(() -> CertificateIdentity.subjectAlternativeName("ip"))
                .hasMessage("san: ip (expected: dns, uri or email)");
        assertThatThrownBy(() -> CertificateIdentity.parse("cn")).hasMessageStartingWith("identity: cn (expected:");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.builder().issuer("not a dn"))
                .hasMessageStartingWith("issuer: not a dn (expected:");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.builder().subject("(["))
                .hasMessageStartingWith("subject: ([ (expected:");
    }
}
