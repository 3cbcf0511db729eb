package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A small reverse proxy on Jetty 12.1: {@link OffloadFilter} runs each route's policy chain, then Jetty's
 * proxy servlet forwards the request to the route's upstreams. {@code /health} is answered by the gateway
 * itself, with no policies.
 */
public final class Gateway {
    private final Server server;
    private final ServerConnector connector;

    private Gateway(Builder builder) {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(builder.maxRequestHeaderBytes);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(builder.host);
        connector.setPort(builder.port);
        server.addConnector(connector);

        RouteTable.Builder table = RouteTable.builder().route("/health", PolicyChain.empty());
        for (GatewayRoute route : builder.routes) {
            table.route(route.prefix(), route.chain());
            if (!route.prefix().equals("/")) {
                table.route(
                        route.prefix().endsWith("/") ? route.prefix() + "**" : route.prefix() + "/**", route.chain());
            }
        }
        table.otherwise(builder.otherwise);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(
                new FilterHolder(OffloadFilter.of(table.build())),
                "/*",
                EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        ServletHolder proxy =
                new ServletHolder(new GatewayProxyServlet(builder.routes, builder.connectTimeout.toMillis()));
        proxy.setAsyncSupported(true);
        proxy.setInitParameter("maxThreads", "64");
        proxy.setInitParameter("idleTimeout", Long.toString(builder.idleTimeout.toMillis()));
        proxy.setInitParameter("responseBufferSize", "16384");
        context.addServlet(proxy, "/*");
        context.addServlet(new ServletHolder(new HealthServlet()), "/health");
        server.setHandler(context);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Gateway start() throws Exception {
        server.start();
        return this;
    }

    public URI uri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    public void stop() throws Exception {
        server.stop();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    /** {@code {"status":"up"}}: the gateway itself is serving. */
    private static final class HealthServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            byte[] body = "{\"status\":\"up\"}".getBytes(StandardCharsets.UTF_8);
            response.setContentType("application/json");
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private final List<GatewayRoute> routes = new ArrayList<>();
        private PolicyChain otherwise = PolicyChain.empty();
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int maxRequestHeaderBytes = 16 * 1024;

        private Builder() {}

        public Builder listen(String host, int port) {
            this.host = requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        public Builder route(GatewayRoute route) {
            routes.add(requireNonNull(route, "route"));
            return this;
        }

        /** The chain for paths no route matches (they get 404 after it). */
        public Builder otherwise(PolicyChain chain) {
            this.otherwise = requireNonNull(chain, "chain");
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        public Gateway build() {
            return new Gateway(this);
        }
    }
}
