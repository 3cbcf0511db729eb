package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.util.EnumSet;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Jetty 12.1 (ee10). The filter is set up from a {@code ServletContainerInitializer}, or ({@link FilterSetup#NATIVE})
 * through a {@link FilterHolder} for {@code REQUEST} and {@code ASYNC}, as the README shows for Jetty.
 */
final class JettyServletHost extends ServletHost {
    private Server server;
    private ServerConnector tlsConnector;

    JettyServletHost(FilterSetup filter) {
        super(filter);
    }

    @Override
    URI start(RouteTable routes, HttpServlet servlet) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        tlsConnector = JettyTls.connector(server);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        if (filter == FilterSetup.NATIVE) {
            context.addFilter(
                    new FilterHolder(OffloadFilter.of(routes)),
                    "/*",
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        } else {
            context.addServletContainerInitializer((types, servletContext) -> filter.apply(servletContext, routes));
        }
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        for (String path : ConformanceServlet.PATHS) {
            context.addServlet(holder, path);
        }
        server.setHandler(context);
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
        return "servlet on Jetty 12.1 (ee10), " + filter;
    }
}
