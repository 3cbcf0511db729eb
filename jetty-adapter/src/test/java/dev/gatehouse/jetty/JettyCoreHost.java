package dev.gatehouse.jetty;

import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import dev.gatehouse.testing.conformance.ConformanceTls;
import java.net.URI;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty 12.1 core on ephemeral loopback ports: the conformance handler behind {@link OffloadHandler}. Its TLS
 * connector has no {@code SecureRequestCustomizer}, so the client certificate comes from the connection itself.
 */
final class JettyCoreHost implements ConformanceHost {
    private Server server;
    private ServerConnector tlsConnector;

    @Override
    public URI start(RouteTable routes, ConformanceService service) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(ConformanceTls.serverContext());
        tls.setWantClientAuth(true);
        tlsConnector = new ServerConnector(server, tls, new HttpConnectionFactory(new HttpConfiguration()));
        tlsConnector.setHost("127.0.0.1");
        tlsConnector.setPort(0);
        server.addConnector(tlsConnector);
        OffloadHandler offload = OffloadHandler.of(routes);
        offload.setHandler(new ConformanceHandler(service));
        server.setHandler(offload);
        server.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public Optional<URI> tlsBase() {
        return Optional.of(URI.create("https://127.0.0.1:" + tlsConnector.getLocalPort()));
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }

    @Override
    public String name() {
        return "Jetty 12.1 core";
    }
}
