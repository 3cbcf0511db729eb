package dev.gatehouse.examples.backends;

import java.net.URI;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The built-in backends on one loopback port of their own: {@link EchoServlet} on every path, and the demo
 * data of {@link DemoDataServlet} on {@code /users}, {@code /orders} and {@code /notifications}.
 */
public final class BuiltinBackends implements AutoCloseable {
    /** The demo data kinds, each served on {@code /<kind>}. */
    public static final List<String> DATA = List.of("users", "orders", "notifications");

    private final Server server = new Server();
    private final EchoServlet echo = new EchoServlet();
    private final URI uri;

    private BuiltinBackends() throws Exception {
        // The gateway in front accepts 16 KiB header sections and adds forwarding headers: take all of them.
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(64 * 1024);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(echo), "/*");
        for (String kind : DATA) {
            context.addServlet(new ServletHolder(new DemoDataServlet(kind)), "/" + kind);
        }
        server.setHandler(context);
        server.start();
        uri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** Starts them on a free port. */
    public static BuiltinBackends start() throws Exception {
        return new BuiltinBackends();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return uri;
    }

    public EchoServlet echo() {
        return echo;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
