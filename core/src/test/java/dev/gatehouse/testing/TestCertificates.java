package dev.gatehouse.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate authorities and the certificates they issue, generated in the test (ECDSA P-256): for TLS servers,
 * mutual-TLS clients and the client-certificate authenticator.
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestCertificates() {}

    /** A self-signed certificate authority named {@code subject} ({@code CN=Test CA,O=Gatehouse}). */
    public static Authority authority(String subject) {
        KeyPair keys = keyPair();
        Instant now = Instant.now();
        X509Certificate certificate = sign(
                subject,
                subject,
                keys,
                keys,
                now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(30)),
                true,
                List.of());
        return new Authority(keys, certificate);
    }

    /** A CA's key and certificate; it issues leaf certificates. */
    public record Authority(KeyPair keys, X509Certificate certificate) {
        /** A leaf for {@code subject}, valid from an hour ago for a day, with these subject alternative names. */
        public Issued issue(String subject, GeneralName... alternativeNames) {
            Instant now = Instant.now();
            return issue(subject, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), alternativeNames);
        }

        public Issued issue(String subject, Instant notBefore, Instant notAfter, GeneralName... alternativeNames) {
            KeyPair leafKeys = keyPair();
            X509Certificate leaf = sign(
                    subject,
                    certificate.getSubjectX500Principal().getName(),
                    leafKeys,
                    keys,
                    notBefore,
                    notAfter,
                    false,
                    List.of(alternativeNames));
            return new Issued(leafKeys, List.of(leaf, certificate));
        }

        /** A PKCS#12 trust store holding this CA (and {@code others}). */
        public KeyStore trustStore(Authority... others) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("ca", certificate);
                for (int i = 0; i < others.length; i++) {
                    store.setCertificateEntry("ca" + i, others[i].certificate());
                }
                return store;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A leaf certificate with its chain (leaf first) and private key. */
    public record Issued(KeyPair keys, List<X509Certificate> chain) {
        public X509Certificate certificate() {
            return chain.get(0);
        }

        /** A PKCS#12 key store with the key and chain, password {@link #PASSWORD}. */
        public KeyStore keyStore() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry(
                        "key", keys.getPrivate(), PASSWORD.toCharArray(), chain.toArray(X509Certificate[]::new));
                return store;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * A client TLS context that presents this certificate and trusts {@code server}'s CA. The JDK's key manager
         * offers the certificate only to servers that name its issuer; a certificate from a CA the server does not
         * trust is therefore not even sent.
         */
        public SSLContext clientContext(Authority server) {
            return TestCertificates.clientContext(keyStore(), server);
        }
    }

    /** A client TLS context without a certificate of its own that trusts {@code server}'s CA. */
    public static SSLContext clientContext(Authority server) {
        return clientContext(null, server);
    }

    private static SSLContext clientContext(KeyStore keys, Authority server) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(server.trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            if (keys == null) {
                context.init(null, trust.getTrustManagers(), null);
            } else {
                KeyManagerFactory manager = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                manager.init(keys, PASSWORD.toCharArray());
                context.init(manager.getKeyManagers(), trust.getTrustManagers(), null);
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The name in the order written (BouncyCastle's own parser may reverse it). */
    private static X500Name name(String distinguishedName) {
        return X500Name.getInstance(new X500Principal(distinguishedName).getEncoded());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(
            String subject,
            String issuer,
            KeyPair subjectKeys,
            KeyPair issuerKeys,
            Instant notBefore,
            Instant notAfter,
            boolean authority,
            List<GeneralName> alternativeNames) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name(issuer),
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    name(subject),
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (!alternativeNames.isEmpty()) {
                builder.addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(new ArrayList<>(alternativeNames).toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(
                            new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
