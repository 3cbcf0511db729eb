package dev.gatehouse.servlet;

import dev.gatehouse.testing.conformance.ConformanceTls;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A Jetty TLS connector on an ephemeral loopback port that asks for (does not require) client certificates. Its
 * {@link SecureRequestCustomizer} gives servlets the attribute {@code jakarta.servlet.request.X509Certificate}.
 */
public final class JettyTls {
    private JettyTls() {}

    /** Adds the connector to {@code server} and returns it. */
    public static ServerConnector connector(Server server) {
        HttpConfiguration https = new HttpConfiguration();
        https.addCustomizer(new SecureRequestCustomizer());
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(ConformanceTls.serverContext());
        tls.setWantClientAuth(true);
        ServerConnector connector = new ServerConnector(server, tls, new HttpConnectionFactory(https));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        return connector;
    }
}
