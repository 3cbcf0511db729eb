package dev.gatehouse.examples;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An existing servlet service (the echo backend) that gains request ids, trace context and a decision log
 * by adding one filter, without changing a line of the service.
 *
 * <p>Run it with {@code ./examples/run.sh} (port 8080, or the first argument), then {@code curl -i
 * localhost:8080/echo}.
 */
public final class ServletServiceExample {
    private final Server server;
    private final ServerConnector connector;
    private final EchoServlet echo = new EchoServlet();

    private ServletServiceExample(String host, int port) {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        PolicyChain chain = PolicyChain.builder()
                .add("requestid", RequestIdPolicy.ofDefaults())
                .add("accesslog", AccessLogPolicy.ofDefaults())
                .build();

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(
                new FilterHolder(OffloadFilter.of(chain)),
                "/*",
                EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        context.addServlet(new ServletHolder(echo), "/*");
        server.setHandler(context);
    }

    /** Starts the service on {@code host:port} (port 0 picks a free one). */
    public static ServletServiceExample start(String host, int port) throws Exception {
        ServletServiceExample example = new ServletServiceExample(host, port);
        example.server.start();
        return example;
    }

    public URI uri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    public EchoServlet echo() {
        return echo;
    }

    public void stop() throws Exception {
        server.stop();
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        ServletServiceExample example = start("127.0.0.1", port);
        URI uri = example.uri();
        System.out.printf("""
                Echo service behind OffloadFilter (request id + access log) on %1$s
                Try:
                  curl -i %1$s/echo
                  curl -i -H 'X-Request-Id: order-7f3a' %1$s/echo?status=201
                  curl -i -H 'X-Request-Id: bad id with spaces' %1$s/echo
                """, uri);
        example.server.join();
    }
}
