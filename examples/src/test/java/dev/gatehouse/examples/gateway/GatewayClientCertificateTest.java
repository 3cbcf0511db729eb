package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.TestCertificates;
import dev.gatehouse.testing.TestCertificates.Authority;
import dev.gatehouse.testing.TestCertificates.Issued;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.assertj.core.api.AbstractThrowableAssert;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS on the gateway's listener, from its YAML: real handshakes with the JDK's HttpClient and SSLSocket. */
class GatewayClientCertificateTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Authority SERVER_CA = TestCertificates.authority("CN=Server CA,O=Gatehouse");
    static final Authority MESH_CA = TestCertificates.authority("CN=Mesh CA,O=Gatehouse");
    static final Authority PARTNER_CA = TestCertificates.authority("CN=Partner CA,O=Gatehouse");
    static final Authority STRANGER_CA = TestCertificates.authority("CN=Stranger CA,O=Elsewhere");
    static final String SPIFFE_ID = "spiffe://example.org/ns/pay/sa/billing";
    static final Issued BILLING =
            MESH_CA.issue("CN=billing,O=Gatehouse", new GeneralName(GeneralName.uniformResourceIdentifier, SPIFFE_ID));

    static final String YAML = """
            listen:
              port: 0
              tlsPort: 0
              keystore: %s
              keystorePassword: changeit
              tls:
                clientAuth: %s
                trustStore: %s
                trustStorePassword: changeit
            auth:
              clientCertificates:
                identity: san:uri
                issuers: ["CN=Mesh CA,O=Gatehouse"]
                scopes: [orders:read]
              identityHeaders:
                claims: { cert_subject: X-Client-Cert-Subject }
            routes:
              - path: /api
                upstreams: [builtin:echo]
                auth: required
                scopes: [orders:read]
              - path: /open
                upstreams: [builtin:echo]
            """;

    @TempDir
    Path dir;

    private GatewayMain.Running running;

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private URI start(String clientAuth) throws Exception {
        Issued server = SERVER_CA.issue(
                "CN=localhost",
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        Path keystore = write("server.p12", server.keyStore());
        Path trustStore = write("clients.p12", MESH_CA.trustStore(PARTNER_CA));
        running = GatewayMain.start(
                Files.writeString(dir.resolve("gateway.yaml"), YAML.formatted(keystore, clientAuth, trustStore)));
        return running.gateway.tlsUri().orElseThrow();
    }

    private Path write(String name, KeyStore store) throws Exception {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, TestCertificates.PASSWORD.toCharArray());
        }
        return file;
    }

    private static HttpResponse<String> get(SSLContext tls, URI uri, String... headers) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode echoedHeaders(String body) throws Exception {
        return JSON.readTree(body).path("headers");
    }

    @Test
    void aValidCertificateReachesTheUpstreamAsThePrincipalInTheIdentityHeaders() throws Exception {
        URI base = start("request");

        HttpResponse<String> response = get(
                BILLING.clientContext(SERVER_CA),
                base.resolve("/api/orders"),
                "X-Client-Cert-Subject",
                "CN=admin",
                "x_user_id",
                "admin");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode headers = echoedHeaders(response.body());
        assertThat(headers.path("x-user-id").asText()).isEqualTo(SPIFFE_ID);
        assertThat(headers.path("x-scopes").asText()).isEqualTo("orders:read");
        assertThat(headers.path("x-client-cert-subject").asText()).isEqualTo("CN=billing,O=Gatehouse");
        assertThat(headers.has("x_user_id")).isFalse();
    }

    @Test
    void inRequestModeAClientWithoutACertificateConnectsAndIsRefusedWith401OnACertificateRoute() throws Exception {
        URI base = start("request");
        SSLContext anonymous = TestCertificates.clientContext(SERVER_CA);

        HttpResponse<String> refused = get(anonymous, base.resolve("/api/orders"));
        HttpResponse<String> open = get(anonymous, base.resolve("/open/x"));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("ClientCertificate");
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(open.statusCode()).isEqualTo(200);
    }

    @Test
    void inRequireModeAClientWithoutACertificateFailsTheHandshake() throws Exception {
        URI base = start("require");

        assertThatThrownBy(() -> get(TestCertificates.clientContext(SERVER_CA), base.resolve("/open/x")))
                .isInstanceOf(IOException.class);
        assertThat(get(BILLING.clientContext(SERVER_CA), base.resolve("/open/x"))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aCertificateFromACaOutsideTheTrustStoreFailsTheHandshake() throws Exception {
        URI base = start("request");
        Issued stranger = STRANGER_CA.issue(
                "CN=billing,O=Elsewhere", new GeneralName(GeneralName.uniformResourceIdentifier, SPIFFE_ID));

        assertThatThrownBy(() -> get(alwaysPresenting(stranger), base.resolve("/open/x")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aTrustedCertificateOfAnIssuerTheAuthenticatorDoesNotAcceptIs401() throws Exception {
        URI base = start("request");
        Issued partner = PARTNER_CA.issue(
                "CN=partner,O=Gatehouse", new GeneralName(GeneralName.uniformResourceIdentifier, SPIFFE_ID));

        HttpResponse<String> refused = get(partner.clientContext(SERVER_CA), base.resolve("/api/orders"));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValue("ClientCertificate error=\"invalid_token\", "
                        + "error_description=\"The client certificate is not accepted.\"");
    }

    @Test
    void aSpoofedCertificateHeaderInAnyLetterCaseOrNominatedByConnectionNeverReachesTheUpstream() throws Exception {
        URI base = start("request");
        for (String name : new String[] {"X-Client-Cert-Subject", "x-client-cert-subject", "X_CLIENT_CERT_SUBJECT"}) {
            String anonymous =
                    rawGet(TestCertificates.clientContext(SERVER_CA), base, "/open/x", name + ": CN=admin\r\n");
            assertThat(anonymous).contains("HTTP/1.1 200").doesNotContainIgnoringCase("CN=admin");
        }
        String nominated = rawGet(
                BILLING.clientContext(SERVER_CA),
                base,
                "/api/orders",
                "Connection: close, X-Client-Cert-Subject, X-User-Id\r\nx-client-cert-subject: CN=admin\r\n");

        assertThat(nominated).contains("HTTP/1.1 200").doesNotContain("CN=admin");
        JsonNode headers = echoedHeaders(nominated.substring(nominated.indexOf("\r\n\r\n") + 4));
        assertThat(headers.path("x-client-cert-subject").asText())
                .as("a client's Connection cannot remove a header the policies set")
                .isEqualTo("CN=billing,O=Gatehouse");
        assertThat(headers.path("x-user-id").asText()).isEqualTo(SPIFFE_ID);
    }

    @Test
    void badTlsAndCertificateValuesAreLocated() throws Exception {
        Path trustStore = write("clients.p12", MESH_CA.trustStore());
        loading("""
                listen:
                  tlsPort: 0
                  tls: { clientAuth: maybe }
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """)
                .hasMessageContaining("gateway.yaml line 3")
                .hasMessageContaining("clientAuth maybe (expected: none, request or require)");
        loading("""
                listen:
                  tlsPort: 0
                  tls: { clientAuth: require }
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """)
                .hasMessageContaining("gateway.yaml line 3")
                .hasMessageContaining("clientAuth require needs trustStore");
        loading("""
                listen:
                  tlsPort: 0
                  tls: { clientAuth: request, trustStore: %s, trustStorePassword: wrong }
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """.formatted(trustStore))
                .hasMessageContaining("gateway.yaml line 3")
                .hasMessageContaining("trustStore " + trustStore)
                .hasMessageContaining("check trustStorePassword");
        loading("""
                listen:
                  tls: { clientAuth: request, trustStore: %s, trustStorePassword: changeit }
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """.formatted(trustStore))
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("listen: tls.clientAuth request needs tlsPort");
        loading("""
                listen:
                  tlsPort: 0
                  tls: { trustStoreType: PEM }
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """).hasMessageContaining("trustStoreType PEM (expected: PKCS12 or JKS)");
        loading("""
                auth:
                  clientCertificates:
                    identity: san:ip
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """)
                .hasMessageContaining("gateway.yaml line")
                .hasMessageContaining("auth.clientCertificates: identity: san:ip (expected:");
        loading("""
                auth:
                  clientCertificates: { issuers: [not a name] }
                routes: [{ path: /, upstreams: [builtin:echo] }]
                """).hasMessageContaining("gateway.yaml line 2").hasMessageContaining("issuer: not a name (expected:");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String yaml) {
        return assertThatThrownBy(() -> GatewayConfigLoader.parse("gateway.yaml", yaml))
                .isInstanceOf(GatewayConfigLoader.ConfigException.class);
    }

    /** One HTTP/1.1 request over a TLS socket, written as an attacker would; the whole response as text. */
    private static String rawGet(SSLContext tls, URI base, String path, String extraFields) throws Exception {
        try (Socket plain = new Socket(base.getHost(), base.getPort());
                SSLSocket socket =
                        (SSLSocket) tls.getSocketFactory().createSocket(plain, base.getHost(), base.getPort(), true)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            OutputStream out = socket.getOutputStream();
            String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extraFields
                    + (extraFields.contains("Connection:") ? "" : "Connection: close\r\n") + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * A client that offers its certificate to any server: the JDK's own key manager offers one only to a server
     * that names its issuer, so without this a stranger's certificate would never be sent at all.
     */
    private static SSLContext alwaysPresenting(Issued certificate) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(certificate.keyStore(), TestCertificates.PASSWORD.toCharArray());
        X509KeyManager own = (X509KeyManager) keys.getKeyManagers()[0];
        String alias = own.getClientAliases("EC", null)[0];
        X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {alias};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return alias;
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return alias;
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String name) {
                return own.getCertificateChain(name);
            }

            @Override
            public PrivateKey getPrivateKey(String name) {
                return own.getPrivateKey(name);
            }
        };
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(SERVER_CA.trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {always}, trust.getTrustManagers(), null);
        return context;
    }
}
