package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * A small reverse proxy on Jetty 12.1: {@link dev.gatehouse.servlet.OffloadFilter} runs each route's policy chain, then Jetty's
 * proxy servlet forwards the request to the route's upstreams. {@code /health} is answered by the gateway
 * itself, with no policies.
 */
public final class Gateway {
    private final Server server;
    private final ServerConnector connector;
    private final @Nullable ServerConnector tlsConnector;

    private final SwappableHandler handler = new SwappableHandler();
    private final @Nullable RouteTable policies;

    /** A path answered by merging the JSON of several upstream calls made in parallel. */
    public record Aggregation(String path, java.util.Map<String, URI> parts, PolicyChain chain, Duration timeout) {
        public Aggregation {
            parts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts));
        }
    }

    private final @Nullable MultiGauge upstreamGauge;
    private final @Nullable MultiGauge breakerGauge;
    private final long connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final int maxRequestHeaderBytes;
    private final ScheduledExecutorService retirements = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "gatehouse-gateway-retire");
        thread.setDaemon(true);
        return thread;
    });

    private Gateway(Builder builder) {
        server = new Server();
        server.setErrorHandler(new ProblemErrorHandler());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(builder.maxRequestHeaderBytes);
        maxRequestHeaderBytes = builder.maxRequestHeaderBytes;
        // HTTP/1.1 and h2c (prior knowledge or Upgrade) on the plain port.
        connector =
                new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost(builder.host);
        connector.setPort(builder.port);
        server.addConnector(connector);
        if (builder.tlsKeyStore != null) {
            HttpConfiguration https = new HttpConfiguration(http);
            https.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(builder.tlsKeyStore);
            tls.setKeyStorePassword(builder.tlsPassword);
            tls.setKeyManagerPassword(builder.tlsPassword);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            tlsConnector = new ServerConnector(
                    server,
                    new SslConnectionFactory(tls, alpn.getProtocol()),
                    alpn,
                    new HTTP2ServerConnectionFactory(https),
                    new HttpConnectionFactory(https));
            tlsConnector.setHost(builder.host);
            tlsConnector.setPort(builder.tlsPort);
            server.addConnector(tlsConnector);
        } else {
            tlsConnector = null;
        }
        connectTimeoutMillis = builder.connectTimeout.toMillis();
        policies = builder.policies;
        idleTimeoutMillis = builder.idleTimeout.toMillis();
        handler.current = context(builder.routes, builder.aggregations, builder.otherwise);
        if (builder.registry != null) {
            upstreamGauge = MultiGauge.builder("gatehouse.gateway.upstream.up")
                    .description("1 while passive health lets requests go to the upstream, 0 while it is ejected")
                    .register(builder.registry);
            breakerGauge = MultiGauge.builder("gatehouse.gateway.circuit.open")
                    .description("1 while the route's circuit breaker is open")
                    .register(builder.registry);
            bindGauges(handler.current.routing());
        } else {
            upstreamGauge = null;
            breakerGauge = null;
        }
        server.setHandler(handler);
        // On stop (SIGTERM runs it through the shutdown hook) the connectors stop accepting at once and the
        // server waits up to the grace period for open connections to finish what they are doing.
        server.setStopTimeout(builder.shutdownGrace.toMillis());
    }

    /** The routes and policies as one servlet context: what a reload replaces as a whole. */
    private Context context(List<GatewayRoute> routes, List<Aggregation> aggregations, PolicyChain otherwise) {
        Map<String, PolicyChain> exact = new LinkedHashMap<>();
        exact.put("/health", PolicyChain.empty());
        for (Aggregation aggregation : aggregations) {
            exact.put(aggregation.path(), aggregation.chain());
        }
        Routing routing = new Routing(routes, exact, otherwise, policies);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(routing), "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        ServletHolder proxy =
                new ServletHolder(new GatewayProxyServlet(routing, connectTimeoutMillis, maxRequestHeaderBytes));
        proxy.setAsyncSupported(true);
        proxy.setInitParameter("maxThreads", "64");
        proxy.setInitParameter("idleTimeout", Long.toString(idleTimeoutMillis));
        proxy.setInitParameter("responseBufferSize", "16384");
        context.addServlet(proxy, "/*");
        context.addServlet(new ServletHolder(new HealthServlet()), "/health");
        for (Aggregation aggregation : aggregations) {
            ServletHolder holder =
                    new ServletHolder(new AggregationServlet(aggregation.parts(), aggregation.timeout()));
            context.addServlet(holder, aggregation.path());
        }
        return new Context(context, routing);
    }

    /** Points the upstream and breaker gauges at the live state of {@code routing}'s routes. */
    private void bindGauges(Routing routing) {
        if (upstreamGauge == null || breakerGauge == null) {
            return;
        }
        List<MultiGauge.Row<?>> upstreams = new ArrayList<>();
        List<MultiGauge.Row<?>> breakers = new ArrayList<>();
        for (Routing.Live route : routing.routes()) {
            for (Upstreams.Upstream upstream : route.upstreams().all()) {
                upstreams.add(MultiGauge.Row.of(
                        Tags.of("route", route.name(), "upstream", upstream.authority), upstream, u -> u.up() ? 1 : 0));
            }
            if (route.config().circuitBreaker() != null) {
                Upstreams live = route.upstreams();
                breakers.add(MultiGauge.Row.of(Tags.of("route", route.name()), live, u -> u.breakerOpen() ? 1 : 0));
            }
        }
        upstreamGauge.register(upstreams, true);
        breakerGauge.register(breakers, true);
    }

    /** What a reload swaps: the servlet context and the routes' live state. */
    private record Context(ServletContextHandler handler, Routing routing) {}

    /**
     * Routes, their upstreams' health and their circuit breakers, for {@code /admin/status}: {@code [{"route":
     * "/api", "upstreams": [{"url", "health": "healthy" | "ejected" | "probing", ...}], "circuitBreaker":
     * {...}}]}.
     */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> status = new ArrayList<>();
        for (Routing.Live route : handler.current.routing().routes()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("route", route.name());
            entry.putAll(route.upstreams().status());
            status.add(entry);
        }
        return status;
    }

    /**
     * Swaps in new routes atomically: requests already running finish on the old ones, which are stopped 30 s
     * later; new requests see only the new ones.
     *
     * @throws Exception when the new routes cannot start; the old ones then stay in place
     */
    public void replaceRoutes(List<GatewayRoute> routes, List<Aggregation> aggregations, PolicyChain otherwise)
            throws Exception {
        Context next = context(routes, List.copyOf(aggregations), otherwise);
        next.handler().setServer(server);
        next.handler().start();
        Context previous = handler.current;
        handler.current = next;
        bindGauges(next.routing());
        retirements.schedule(
                () -> {
                    try {
                        previous.handler().stop();
                    } catch (Exception e) {
                        LoggerFactory.getLogger(Gateway.class).warn("stopping replaced routes failed", e);
                    }
                },
                30,
                TimeUnit.SECONDS);
    }

    /** Hands each request to the current routes. */
    private static final class SwappableHandler extends Handler.Abstract {
        volatile Context current;

        @Override
        protected void doStart() throws Exception {
            current.handler().setServer(getServer());
            current.handler().start();
            super.doStart();
        }

        @Override
        protected void doStop() throws Exception {
            current.handler().stop();
            super.doStop();
        }

        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback)
                throws Exception {
            return current.handler().handle(request, response, callback);
        }
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

    /** The HTTPS (HTTP/2 and HTTP/1.1 by ALPN) address, when TLS is configured. */
    public Optional<URI> tlsUri() {
        return tlsConnector == null
                ? Optional.empty()
                : Optional.of(URI.create("https://localhost:" + tlsConnector.getLocalPort()));
    }

    /** Stops accepting, lets requests in flight finish within the shutdown grace period, then closes. */
    public void stop() throws Exception {
        server.stop();
        retirements.shutdownNow();
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
        private final List<Aggregation> aggregations = new ArrayList<>();
        private @Nullable RouteTable policies;
        private PolicyChain otherwise = PolicyChain.empty();
        private @Nullable MeterRegistry registry;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private int maxRequestHeaderBytes = 16 * 1024;
        private int tlsPort;
        private @Nullable KeyStore tlsKeyStore;
        private String tlsPassword = "";

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

        /**
         * Runs this route table's chains instead of the routes' own (for hosts that bring their table, such as
         * the conformance suite); the routes still choose the upstreams.
         */
        public Builder policies(RouteTable table) {
            this.policies = requireNonNull(table, "table");
            return this;
        }

        /** An aggregation route at exactly {@code aggregation.path()}. */
        public Builder aggregate(Aggregation aggregation) {
            aggregations.add(requireNonNull(aggregation, "aggregation"));
            return this;
        }

        /** The chain for paths no route matches (they get 404 after it). */
        public Builder otherwise(PolicyChain chain) {
            this.otherwise = requireNonNull(chain, "chain");
            return this;
        }

        /** Also listens with TLS on {@code port}: HTTP/2 and HTTP/1.1 chosen by ALPN. */
        public Builder tls(int port, KeyStore keyStore, String password) {
            this.tlsPort = port;
            this.tlsKeyStore = requireNonNull(keyStore, "keyStore");
            this.tlsPassword = requireNonNull(password, "password");
            return this;
        }

        /**
         * Gauges of the routes' live state in {@code registry}: {@code gatehouse.gateway.upstream.up} (route,
         * upstream) and {@code gatehouse.gateway.circuit.open} (route), following reloads.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = requireNonNull(registry, "registry");
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long {@link #stop} lets requests in flight finish after the listeners stopped accepting; 30 s by
         * default. A rolling deploy that waits at least this long after SIGTERM loses no request.
         */
        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace: " + grace + " (expected: >= 0)");
            }
            this.shutdownGrace = grace;
            return this;
        }

        public Gateway build() {
            return new Gateway(this);
        }
    }
}
