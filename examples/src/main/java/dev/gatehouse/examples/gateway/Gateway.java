package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.cache.BackgroundRefresh;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.client.ContinueProtocolHandler;
import org.eclipse.jetty.client.EarlyHintsProtocolHandler;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProcessingProtocolHandler;
import org.eclipse.jetty.client.ProtocolHandlers;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.RedirectProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small reverse proxy on Jetty 12.1 core, one pipeline read top to bottom: the listeners (HTTP/1.1 and h2c, TLS
 * with HTTP/2) → graceful shutdown → the current {@link RouteSet} (hop-by-hop removal, the route resolved once, its
 * policy chain in a {@link dev.gatehouse.jetty.OffloadHandler}) → {@link UpstreamHandler} and one {@link
 * UpstreamCall} per request → Jetty's {@link HttpClient}. {@code /health} is answered by the gateway itself, with no
 * policies. The route set is swapped atomically on reload; the listeners, the upstream client and its connections
 * stay.
 */
public final class Gateway {
    private final Server server;
    private final ServerConnector connector;
    private final @Nullable ServerConnector tlsConnector;
    private final HttpClient upstreamClient;
    private final UpstreamHandler upstream;
    private final WebSocketRelay webSockets;
    private final InstantSource clock;
    private final @Nullable RouteTable policies;
    private final @Nullable ConsoleRecorder console;
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private volatile RouteSet routes;
    private volatile ClientHeaderFilter clientHeaders;
    private final int maxRequestHeaderBytes;
    /** Runs the active health probes: one daemon thread, from {@link #start} to {@link #stop}. */
    private @Nullable ScheduledExecutorService probeScheduler;

    private @Nullable HealthProbes probes;

    /**
     * Whether the TLS listener asks for client certificates: not at all, {@linkplain #REQUEST asked for} (a client
     * without one still connects, and a route's authentication decides), or {@linkplain #REQUIRE required} (the
     * handshake fails without one). A certificate the trust store does not vouch for always fails the handshake.
     */
    public enum ClientAuth {
        NONE,
        REQUEST,
        REQUIRE
    }

    /** A path answered by merging the JSON of several upstream calls made in parallel. */
    public record Aggregation(String path, Map<String, URI> parts, PolicyChain chain, Duration timeout) {
        public Aggregation {
            parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        }
    }

    private final @Nullable MultiGauge upstreamGauge;
    private final @Nullable MultiGauge breakerGauge;

    private Gateway(Builder builder) {
        server = new Server();
        server.setErrorHandler(new ProblemErrorHandler());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(builder.maxRequestHeaderBytes);
        // Jetty keeps each connection's recent request fields in a trie, to reuse their strings; looking a field up
        // walks it byte by byte, which for a bearer token repeated on every request of a connection costs more
        // than the string it saves (about 2 µs a request at 1 KiB under load.sh). Its table of well-known fields stays.
        http.setHeaderCacheSize(0);
        maxRequestHeaderBytes = builder.maxRequestHeaderBytes;
        // HTTP/2 ends the whole connection (GOAWAY, every stream with it) for a header list over its decoder's
        // limit. Its limit is set well above the listener's, and a request between the two gets the same 431
        // problem as on HTTP/1.1, from CurrentRoutes, and the connection's other streams go on.
        HttpConfiguration h2 = new HttpConfiguration(http);
        h2.setRequestHeaderSize(Math.max(64 * 1024, 4 * builder.maxRequestHeaderBytes));
        // HTTP/1.1 and h2c (prior knowledge or Upgrade) on the plain port.
        connector = new ServerConnector(
                server,
                new HeadTimedConnectionFactory(http, builder.requestHeaderTimeout),
                new HTTP2CServerConnectionFactory(h2));
        connector.setIdleTimeout(builder.clientIdleTimeout.toMillis());
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
            if (builder.clientAuth != ClientAuth.NONE) {
                tls.setTrustStore(builder.trustStore);
                tls.setNeedClientAuth(builder.clientAuth == ClientAuth.REQUIRE);
                tls.setWantClientAuth(builder.clientAuth == ClientAuth.REQUEST);
            }
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            tlsConnector = new ServerConnector(
                    server,
                    new SslConnectionFactory(tls, alpn.getProtocol()),
                    alpn,
                    new HTTP2ServerConnectionFactory(https2(https, h2)),
                    new HeadTimedConnectionFactory(https, builder.requestHeaderTimeout));
            tlsConnector.setIdleTimeout(builder.clientIdleTimeout.toMillis());
            tlsConnector.setHost(builder.host);
            tlsConnector.setPort(builder.tlsPort);
            server.addConnector(tlsConnector);
        } else {
            tlsConnector = null;
        }
        upstreamClient = upstreamClient(builder);
        server.addBean(upstreamClient);
        webSockets = new WebSocketRelay(server, upstreamClient);
        upstream = new UpstreamHandler(upstreamClient, webSockets);
        clock = builder.clock;
        policies = builder.policies;
        console = builder.registry == null ? null : new ConsoleRecorder(clock);
        clientHeaders = builder.clientHeaders;
        routes = new RouteSet(
                clientHeaders,
                builder.routes,
                builder.aggregations,
                builder.otherwise,
                policies,
                upstream,
                upstreamClient,
                clock,
                console);
        if (builder.registry != null) {
            upstreamGauge = MultiGauge.builder("gatehouse.gateway.upstream.up")
                    .description(
                            "1 while passive and active health let requests go to the upstream, 0 while it is ejected")
                    .register(builder.registry);
            breakerGauge = MultiGauge.builder("gatehouse.gateway.circuit.open")
                    .description("1 while the route's circuit breaker is open")
                    .register(builder.registry);
            bindGauges(routes);
        } else {
            upstreamGauge = null;
            breakerGauge = null;
        }
        // On stop (SIGTERM runs it through the shutdown hook) the connectors stop accepting at once and the
        // server waits up to the grace period for the requests in flight to finish; requests still arriving on
        // open connections are served and told to close.
        server.setHandler(new DrainingHandler(new CurrentRoutes()));
        server.setStopTimeout(builder.shutdownGrace.toMillis());
    }

    /** The client for upstream calls: it relays, it does not interpret (no redirects, cookies or decoding). */
    private HttpClient upstreamClient(Builder builder) {
        HttpClient client = new HttpClient();
        client.setExecutor(server.getThreadPool());
        client.setConnectTimeout(builder.connectTimeout.toMillis());
        client.setIdleTimeout(builder.idleTimeout.toMillis());
        client.setFollowRedirects(false);
        // A body goes upstream with the client's Content-Type or none: never a default the client did not send.
        client.setDefaultRequestContentType(null);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.setUserAgentField(null);
        // HttpClient adds its gzip decoder and its protocol handlers when it starts: set right once started, before
        // the listeners open.
        client.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                client.getContentDecoderFactories().clear();
                // An upstream's 401 and 407 are relayed as they are, not answered: the authentication handlers would
                // buffer those bodies (and fail past 16 KiB). Redirects are relayed too. 103 Early Hints go on to the
                // client; every other interim response is consumed; upgrades (WebSocket) keep their handler.
                ProtocolHandlers handlers = client.getProtocolHandlers();
                handlers.remove(WWWAuthenticationProtocolHandler.NAME);
                handlers.remove(ProxyAuthenticationProtocolHandler.NAME);
                handlers.remove(RedirectProtocolHandler.NAME);
                handlers.remove(ContinueProtocolHandler.NAME);
                handlers.remove(ProcessingProtocolHandler.NAME);
                handlers.remove(EarlyHintsProtocolHandler.NAME);
                handlers.put(new InterimResponses());
                handlers.put(new RelayedEarlyHints());
            }
        });
        client.setMaxConnectionsPerDestination(256);
        // Whatever head the listener accepts must fit the upstream request too, with the forwarding headers the
        // gateway adds: a client's 12 KiB of headers must not become a 502.
        client.setRequestBufferSize(builder.maxRequestHeaderBytes + 8192);
        client.setMaxResponseHeadersSize(MAX_RESPONSE_HEADER_BYTES);
        return client;
    }

    /**
     * Consumes the interim responses an upstream sends before its final one, other than 103, and waits for that (RFC
     * 9110 §15.2: a client must parse 1xx responses it did not ask for): {@code 100} (the gateway never sends {@code
     * Expect}; the listener answers a client's), {@code 102} and unassigned ones, which Jetty's own handlers leave to
     * the request's listener as if final.
     */
    private static final class InterimResponses extends ProcessingProtocolHandler {
        @Override
        public String getName() {
            return "interim";
        }

        @Override
        public boolean accept(org.eclipse.jetty.client.Request request, org.eclipse.jetty.client.Response response) {
            int status = response.getStatus();
            return HttpStatus.isInterim(status) && status != HttpStatus.EARLY_HINTS_103;
        }
    }

    /** Hands an upstream's {@code 103 Early Hints} to the call that sent the request, which relays it. */
    private static final class RelayedEarlyHints extends EarlyHintsProtocolHandler {
        @Override
        protected void onEarlyHints(org.eclipse.jetty.client.Request request, HttpFields responseHeaders) {
            if (request.getAttributes().get(UpstreamCall.ATTRIBUTE) instanceof UpstreamCall call) {
                call.earlyHints(responseHeaders);
            }
        }
    }

    /** Upstream response headers larger than this are a broken upstream: 502 at once. */
    static final int MAX_RESPONSE_HEADER_BYTES = 16 * 1024;

    /** Points the upstream and breaker gauges at the live state of {@code set}'s routes. */
    private void bindGauges(RouteSet set) {
        if (upstreamGauge == null || breakerGauge == null) {
            return;
        }
        List<MultiGauge.Row<?>> upstreams = new ArrayList<>();
        List<MultiGauge.Row<?>> breakers = new ArrayList<>();
        for (LiveRoute route : set.routes()) {
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

    /**
     * Routes, their upstreams' health and their circuit breakers, for {@code /admin/status}: {@code [{"route":
     * "/api", "upstreams": [{"url", "health": "healthy" | "ejected" | "probing", ..., "active": {"state":
     * "healthy" | "unhealthy", "lastProbe", "lastError"}}], "circuitBreaker": {...}, "permitsInFlight": 0}]}, in
     * match order; {@code health} is passive health, {@code active} is there when the route probes. Each route
     * also lists its {@code "policies"} in the order they run, and with a meter registry its {@code "traffic"}
     * over the last minutes (see {@link RouteTraffic}).
     */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> status = new ArrayList<>();
        for (LiveRoute route : routes.routes()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("route", route.name());
            entry.put("policies", route.policies());
            entry.putAll(route.upstreams().status());
            if (console != null) {
                entry.put("traffic", console.traffic().status(route.name()));
            }
            status.add(entry);
        }
        return status;
    }

    /** Refusals by a policy recorded since the start, including those {@link #recentRefusals} no longer holds. */
    public long refusalCount() {
        return console == null ? 0 : console.refusals().total();
    }

    /**
     * The most recent refusals by a policy, newest first (with a meter registry; none without): {@code [{"at",
     * "route", "method", "path", "status", "policy", "reason"}]}, from the decision log — never a header value.
     */
    public List<Map<String, Object>> recentRefusals() {
        if (console == null) {
            return List.of();
        }
        List<Map<String, Object>> recent = new ArrayList<>();
        for (RefusalLog.Refusal refusal : console.refusals().recent()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("at", refusal.at().toString());
            entry.put("route", refusal.route());
            entry.put("method", refusal.method());
            entry.put("path", refusal.path());
            entry.put("status", refusal.status());
            entry.put("policy", refusal.policy());
            entry.put("reason", refusal.reason());
            recent.add(entry);
        }
        return recent;
    }

    /**
     * Swaps in new routes atomically: requests already running finish on the old ones; new requests see only the
     * new ones. Listeners, the upstream client and its pooled connections stay.
     */
    public void replaceRoutes(List<GatewayRoute> routes, List<Aggregation> aggregations, PolicyChain otherwise) {
        replaceRoutes(routes, aggregations, otherwise, clientHeaders);
    }

    /** As {@link #replaceRoutes(List, List, PolicyChain)}, removing the client fields {@code clientHeaders} names. */
    void replaceRoutes(
            List<GatewayRoute> routes,
            List<Aggregation> aggregations,
            PolicyChain otherwise,
            ClientHeaderFilter clientHeaders) {
        this.clientHeaders = clientHeaders;
        RouteSet next = new RouteSet(
                clientHeaders,
                routes,
                List.copyOf(aggregations),
                otherwise,
                policies,
                upstream,
                upstreamClient,
                clock,
                console);
        this.routes = next;
        bindGauges(next);
        startProbes(next);
    }

    /** Stops the probes of the routes before, if any, and starts those of {@code set} (once started). */
    private synchronized void startProbes(RouteSet set) {
        if (probes != null) {
            probes.close();
            probes = null;
        }
        if (probeScheduler != null) {
            probes = new HealthProbes(upstreamClient, probeScheduler, clock, set.routes());
        }
    }

    /** Hands each request to the route set current when it arrives. */
    /** The running routes, behind the HTTP/2 check of the header section's size. */
    private final class CurrentRoutes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!isUpperCase(request.getMethod())) {
                // Methods are case-sensitive (RFC 9110 §9.1) and Jetty keeps a method it does not know as sent, but
                // Jetty's client sends every method upper case: "delete" would be routed, checked and refused as
                // one method and run upstream as DELETE. The registered methods are upper case, and nginx refuses
                // the others too.
                LOG.info(
                        "400 for {} {}: a method that is not upper case",
                        request.getMethod(),
                        request.getHttpURI().getPath());
                Problems.write(
                        response,
                        callback,
                        400,
                        "The request method must be upper case (methods are case-sensitive: GET, not get).",
                        null);
                return true;
            }
            HttpVersion version = request.getConnectionMetaData().getHttpVersion();
            if (version == HttpVersion.HTTP_1_1 && hasCodingOtherThanChunked(request)) {
                // RFC 9112 §6.1: a transfer coding the server does not implement must not be passed over. Jetty
                // unframes the chunks and drops the rest ("gzip, chunked" reached the upstream still gzipped, with
                // nothing saying so). Refused, as a framing fault, and the connection closed.
                LOG.info(
                        "400 for {} {}: Transfer-Encoding {} (expected: chunked only)",
                        request.getMethod(),
                        request.getHttpURI().getPath(),
                        request.getHeaders().getValuesList(HttpHeader.TRANSFER_ENCODING));
                Problems.closeAfter(request, response);
                Problems.write(response, callback, 400, "The only transfer coding accepted is chunked.", null);
                return true;
            }
            if (version == HttpVersion.HTTP_1_0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
                // RFC 9112 §6.1: HTTP/1.0 has no transfer codings; a server must take such a message's framing as
                // faulty, whatever Content-Length says, and close the connection. A smuggling attempt, most likely.
                LOG.info(
                        "400 for {} {}: Transfer-Encoding in an HTTP/1.0 request",
                        request.getMethod(),
                        request.getHttpURI().getPath());
                Problems.closeAfter(request, response);
                Problems.write(
                        response, callback, 400, "Transfer-Encoding is not allowed in an HTTP/1.0 request.", null);
                return true;
            }
            if (version == HttpVersion.HTTP_2 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
                // RFC 9113 §8.2.2: connection-specific fields make an HTTP/2 request malformed; dropping this one
                // would forward a body framed by a coding nobody checked.
                LOG.info(
                        "400 for {} {}: Transfer-Encoding in an HTTP/2 request",
                        request.getMethod(),
                        request.getHttpURI().getPath());
                Problems.write(response, callback, 400, "Transfer-Encoding is not allowed in an HTTP/2 request.", null);
                return true;
            }
            if (version == HttpVersion.HTTP_2) {
                long bytes = headerBytes(request);
                if (bytes > maxRequestHeaderBytes) {
                    LOG.info(
                            "431 for {} {}: a header section of {} bytes over HTTP/2 (expected: at most {})",
                            request.getMethod(),
                            request.getHttpURI().getPath(),
                            bytes,
                            maxRequestHeaderBytes);
                    Problems.write(response, callback, 431, "The request header fields are too large.", null);
                    return true;
                }
            }
            return routes.handle(request, response, callback);
        }
    }

    /** Whether {@code method} has no lower-case letter. */
    private static boolean isUpperCase(String method) {
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c >= 'a' && c <= 'z') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code request}'s {@code Transfer-Encoding} names a coding besides {@code chunked}. */
    private static boolean hasCodingOtherThanChunked(Request request) {
        HttpFields fields = request.getHeaders();
        if (!fields.contains(HttpHeader.TRANSFER_ENCODING)) {
            return false;
        }
        for (String coding : fields.getCSV(HttpHeader.TRANSFER_ENCODING, false)) {
            if (!coding.trim().equalsIgnoreCase("chunked")) {
                return true;
            }
        }
        return false;
    }

    /** The size of {@code request}'s head as HTTP/1.1 would carry it: the request line and each field's line. */
    private static long headerBytes(Request request) {
        long bytes =
                request.getMethod().length() + request.getHttpURI().asString().length() + 12;
        for (HttpField field : request.getHeaders()) {
            bytes += field.getName().length() + field.getValue().length() + 4;
        }
        return bytes + 2;
    }

    /** The TLS listener's HTTP/2 configuration: {@code https}'s customizers with {@code h2}'s header limit. */
    private static HttpConfiguration https2(HttpConfiguration https, HttpConfiguration h2) {
        HttpConfiguration configuration = new HttpConfiguration(https);
        configuration.setRequestHeaderSize(h2.getRequestHeaderSize());
        return configuration;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Gateway start() throws Exception {
        server.start();
        synchronized (this) {
            probeScheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, PROBE_THREAD);
                thread.setDaemon(true);
                return thread;
            });
        }
        startProbes(routes);
        return this;
    }

    /** The name of the thread that runs the active health probes. */
    static final String PROBE_THREAD = "gatehouse-health-probe";

    /**
     * A cache's background refresh ({@code stale-while-revalidate}) sent to this gateway's own plain listener: the
     * request passes the route's policies as a client's would, so the upstream sees what a client's request would
     * make it see, and the route's cache validates and stores the answer. It arrives from the gateway's own
     * address, without the client's forwarding fields.
     */
    public BackgroundRefresh loopbackRefresh() {
        return (target, headers) -> {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            String host = connector.getHost();
            String self = host == null || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
            String pathAndQuery =
                    target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            upstreamClient
                    .newRequest(URI.create("http://" + (self.contains(":") ? "[" + self + "]" : self) + ":"
                            + connector.getLocalPort() + pathAndQuery))
                    .method(HttpMethod.GET)
                    .headers(fields -> {
                        headers.forEach((name, value) -> {
                            if (ForwardingHeaders.isForwardedClientField(name)) {
                                fields.add(name, value);
                            }
                        });
                        fields.put(HttpHeader.HOST, target.getRawAuthority());
                    })
                    .send(result -> {
                        if (result.isFailed()) {
                            ended.completeExceptionally(result.getFailure());
                        } else {
                            ended.complete(null);
                        }
                    });
            return ended;
        };
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
        synchronized (this) {
            if (probes != null) {
                probes.close();
                probes = null;
            }
            if (probeScheduler != null) {
                probeScheduler.shutdownNow();
                probeScheduler = null;
            }
        }
        webSockets.closeAll(Duration.ofSeconds(2));
        server.stop();
    }

    public void join() throws InterruptedException {
        server.join();
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
        private Duration requestHeaderTimeout = Duration.ofSeconds(30);
        private ClientHeaderFilter clientHeaders = ClientHeaderFilter.DEFAULT;
        private Duration clientIdleTimeout = Duration.ofSeconds(30);
        private int maxRequestHeaderBytes = 16 * 1024;
        private int tlsPort;
        private @Nullable KeyStore tlsKeyStore;
        private String tlsPassword = "";
        private ClientAuth clientAuth = ClientAuth.NONE;
        private @Nullable KeyStore trustStore;
        private InstantSource clock = InstantSource.system();

        private Builder() {}

        /** The clock passive health and the circuit breakers wait on; the system clock unless set (tests). */
        public Builder clock(InstantSource clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

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
         * Asks TLS clients for certificates issued by a CA in {@code trustStore}: {@link ClientAuth#REQUEST} or
         * {@link ClientAuth#REQUIRE}. The verified chain reaches the policies as {@link
         * dev.gatehouse.Exchange#clientCertificates()}.
         */
        public Builder clientCertificates(ClientAuth mode, KeyStore trustStore) {
            this.clientAuth = requireNonNull(mode, "mode");
            this.trustStore = requireNonNull(trustStore, "trustStore");
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
         * The client's request fields removed on every route before any policy runs: field names, or prefixes
         * ending in {@code *}, in any letter case and {@code _} spelling; {@code X-User-*}, {@code X-Auth-*},
         * {@code X-Forwarded-*} and {@code X-Real-IP} by default. An empty list removes none of these (hop-by-hop
         * fields, identity headers and the forwarding fields the gateway writes are removed whatever this says).
         */
        public Builder stripClientHeaders(List<String> patterns) {
            this.clientHeaders = ClientHeaderFilter.of(patterns);
            return this;
        }

        /**
         * How long an HTTP/1.1 client has to send a request's head once it began, however slowly its bytes come;
         * past it the connection is closed. 30 s by default (nginx's {@code client_header_timeout} is 60 s).
         */
        public Builder requestHeaderTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestHeaderTimeout: " + timeout + " (expected: > 0)");
            }
            this.requestHeaderTimeout = timeout;
            return this;
        }

        /** How long a client connection may stay without a byte either way before it is closed; 30 s by default. */
        public Builder clientIdleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("clientIdleTimeout: " + timeout + " (expected: > 0)");
            }
            this.clientIdleTimeout = timeout;
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
            if (clientAuth != ClientAuth.NONE && tlsKeyStore == null) {
                throw new IllegalStateException("clientCertificates: " + clientAuth + " (expected: a TLS listener)");
            }
            return new Gateway(this);
        }
    }
}
