package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty 12.1 (ee10) on an ephemeral loopback port: the conformance servlet behind {@link OffloadFilter}. */
final class JettyServletHost implements ConformanceHost {
    private Server server;

    @Override
    public URI start(RouteTable routes, ConformanceService service) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(
                new FilterHolder(OffloadFilter.of(routes)),
                "/*",
                EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        ServletHolder servlet = new ServletHolder(new ConformanceServlet(service));
        servlet.setAsyncSupported(true);
        for (String path : new String[] {"/echo", "/text", "/stream", "/async", "/fail", "/error", "/redirect"}) {
            context.addServlet(servlet, path);
        }
        server.setHandler(context);
        server.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }

    @Override
    public String name() {
        return "servlet on Jetty 12.1 (ee10)";
    }
}
