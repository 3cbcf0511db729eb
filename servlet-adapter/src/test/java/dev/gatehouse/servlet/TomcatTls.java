package dev.gatehouse.servlet;

import dev.gatehouse.testing.conformance.ConformanceTls;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/** A Tomcat TLS connector on an ephemeral loopback port that asks for (does not require) client certificates. */
final class TomcatTls {
    private TomcatTls() {}

    static Connector connector() {
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setScheme("https");
        connector.setSecure(true);
        connector.setProperty("SSLEnabled", "true");
        SSLHostConfig tls = new SSLHostConfig();
        tls.setCertificateVerification("optional");
        tls.setTrustStore(ConformanceTls.clientTrustStore());
        SSLHostConfigCertificate certificate =
                new SSLHostConfigCertificate(tls, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setCertificateKeystore(ConformanceTls.serverKeyStore());
        certificate.setCertificateKeystorePassword(ConformanceTls.PASSWORD);
        tls.addCertificate(certificate);
        connector.addSslHostConfig(tls);
        return connector;
    }
}
