package dev.gatehouse.testing.conformance;

import dev.gatehouse.testing.TestCertificates;
import dev.gatehouse.testing.TestCertificates.Authority;
import dev.gatehouse.testing.TestCertificates.Issued;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.GeneralName;
import org.jspecify.annotations.Nullable;

/**
 * The certificates of the suite's TLS listeners: a server certificate for {@code 127.0.0.1}, and a client CA whose
 * certificates the listeners ask for (requested, not required) and verify. A host with a TLS listener serves the
 * same endpoints there ({@link ConformanceHost#tlsBase()}).
 */
public final class ConformanceTls {
    public static final String PASSWORD = TestCertificates.PASSWORD;
    public static final Authority SERVER_CA = TestCertificates.authority("CN=Conformance Server CA,O=Gatehouse");
    public static final Authority CLIENT_CA = TestCertificates.authority("CN=Conformance Client CA,O=Gatehouse");
    public static final Issued SERVER = SERVER_CA.issue(
            "CN=localhost",
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    /** A second CA the listeners trust, whose certificates the suite's policy does not accept. */
    public static final Authority PARTNER_CA = TestCertificates.authority("CN=Conformance Partner CA,O=Gatehouse");
    /** The client certificate the suite presents; its {@code CN} is the principal. */
    public static final Issued CLIENT = CLIENT_CA.issue("CN=billing,O=Gatehouse");
    /** A certificate the listeners accept and the suite's policy refuses (its issuer is not allowed). */
    public static final Issued PARTNER = PARTNER_CA.issue("CN=partner,O=Gatehouse");

    private ConformanceTls() {}

    /** The server's key and certificate (PKCS#12, password {@link #PASSWORD}). */
    public static KeyStore serverKeyStore() {
        return SERVER.keyStore();
    }

    /** The CAs of the client certificates the listener accepts. */
    public static KeyStore clientTrustStore() {
        return CLIENT_CA.trustStore(PARTNER_CA);
    }

    /** A server TLS context with the server's key, verifying clients against {@link #CLIENT_CA}. */
    public static SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(serverKeyStore(), PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(clientTrustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context that trusts the server and presents {@code certificate}, or with null none at all. */
    public static SSLContext clientContext(@Nullable Issued certificate) {
        return certificate == null ? TestCertificates.clientContext(SERVER_CA) : certificate.clientContext(SERVER_CA);
    }

    /** {@code store} in a temporary PKCS#12 file, for servers configured by file name. */
    public static Path file(KeyStore store, String name) {
        try {
            Path file = Files.createTempFile(name, ".p12");
            file.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, PASSWORD.toCharArray());
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
