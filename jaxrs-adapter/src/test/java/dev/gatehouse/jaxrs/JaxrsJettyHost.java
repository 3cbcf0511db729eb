package dev.gatehouse.jaxrs;

import dev.gatehouse.RouteTable;
import dev.gatehouse.servlet.JettyTls;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.servlet.Servlet;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A JAX-RS runtime's servlet on Jetty 12.1 (ee10), on an ephemeral loopback port. */
public abstract class JaxrsJettyHost implements ConformanceHost {
    private Server server;
    private ServerConnector tlsConnector;

    /** The runtime's servlet and its init parameters, serving the resource behind {@code feature}. */
    protected abstract ServletHolder servlet(OffloadFeature feature, ConformanceService service);

    @Override
    public URI start(RouteTable routes, ConformanceService service) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        tlsConnector = JettyTls.connector(server);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = servlet(OffloadFeature.of(routes), service);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    protected static ServletHolder holder(Servlet servlet, Map<String, String> initParameters) {
        ServletHolder holder = new ServletHolder(servlet);
        initParameters.forEach(holder::setInitParameter);
        return holder;
    }

    /** The runtime's servlet behind Jetty's TLS connector: the certificate comes through the servlet request. */
    @Override
    public Optional<URI> tlsBase() {
        return Optional.of(URI.create("https://127.0.0.1:" + tlsConnector.getLocalPort()));
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }
}
