package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.cache.HttpCacheStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's admin port, separate from the traffic port, read-only but for cache purges: the live console at
 * {@code /} (a page and its script and style, no third-party assets, polling {@code admin/status}), {@code
 * /admin/status} (JSON: routes, upstreams, stores, recent refusals, the configuration's reloads), {@code /metrics}
 * (Prometheus text format) and, with cached routes, {@code POST /admin/cache/purge?key=…|prefix=…} ({@link
 * CachePurge}), which a request from a web page (one with an {@code Origin}) may never make.
 *
 * <p>Without a token it serves loopback only: the constructor refuses another address, and a request whose {@code
 * Host} is not a loopback name is refused (a page on another site that rebinds its name to 127.0.0.1 reads
 * nothing). With a token, every page but the login form and the static assets needs {@code Authorization: Bearer
 * <token>} or the session cookie the login form gives. Every answer carries {@code Content-Security-Policy:
 * default-src 'self'} and is never cached.
 */
public final class AdminServer {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASSETS = "/dev/gatehouse/examples/gateway/console/";
    private static final String CSP =
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    private final Server server;
    private final ServerConnector connector;
    private final AdminAccess access;
    private final AdminLogin login;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Map<String, Object>> status;
    private volatile @Nullable CachePurge cachePurge;

    /** An admin port anyone on loopback may read. */
    public AdminServer(String host, int port, PrometheusMeterRegistry registry, Supplier<Map<String, Object>> status) {
        this(host, port, null, registry, status);
    }

    /**
     * @param token what clients must show, or null for none (then {@code host} must be a loopback address)
     */
    public AdminServer(
            String host,
            int port,
            @Nullable String token,
            PrometheusMeterRegistry registry,
            Supplier<Map<String, Object>> status) {
        if (token == null && !AdminAccess.isLoopback(host)) {
            throw new IllegalArgumentException(
                    "admin host " + host + " without a token (expected: a loopback " + "address, or a token)");
        }
        this.access = new AdminAccess(token, InstantSource.system());
        this.login = new AdminLogin(access);
        this.registry = registry;
        this.status = status;
        server = new Server();
        server.setErrorHandler(new ProblemErrorHandler());
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                secure(response);
                serve(request, response, callback);
                return true;
            }
        });
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (access.open() && !AdminAccess.isLoopback(Request.getServerName(request))) {
            refuse(request, response, callback, 403, "Host " + Request.getServerName(request) + " is not loopback");
            return;
        }
        CachePurge purge = cachePurge;
        if (purge != null && path.equals(CachePurge.PATH)) {
            purge(request, response, callback, purge);
            return;
        }
        boolean post = method.equals("POST") && path.equals("/login");
        if (!method.equals("GET") && !method.equals("HEAD") && !post) {
            response.getHeaders().put(HttpHeader.ALLOW, path.equals("/login") ? "GET, HEAD, POST" : "GET, HEAD");
            Problems.write(response, callback, 405, "The admin port is read-only.", null);
            return;
        }
        switch (path) {
            case "/console.js" -> write(response, callback, "text/javascript; charset=utf-8", asset("console.js"));
            case "/console.css" -> write(response, callback, "text/css; charset=utf-8", asset("console.css"));
            case "/favicon.svg" -> write(response, callback, "image/svg+xml", asset("favicon.svg"));
            case "/login" -> login.handle(request, response, callback, post);
            case "/", "/admin/status", "/metrics" -> serveProtected(request, response, callback, path);
            default -> Problems.write(response, callback, 404, "Not an admin page.", null);
        }
    }

    /**
     * A purge: an operator's tool's, never a web page's — a browser names the page's origin on every cross-site
     * POST, and without a token the port has no other way to tell them apart — and with the token when there is one.
     */
    private void purge(Request request, Response response, Callback callback, CachePurge purge) throws Exception {
        if (request.getHeaders().contains(HttpHeader.ORIGIN)) {
            refuse(request, response, callback, 403, "a cache purge from a web page (the request has an Origin)");
            return;
        }
        Optional<String> refusal =
                access.refusal(request.getHeaders().get(HttpHeader.AUTHORIZATION), AdminLogin.sessionCookie(request));
        if (refusal.isPresent()) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"gatehouse-admin\"");
            refuse(request, response, callback, 401, refusal.get());
            return;
        }
        purge.handle(request, response, callback);
    }

    /** The console, the status and the metrics: for a client with the token or a session only. */
    private void serveProtected(Request request, Response response, Callback callback, String path) throws Exception {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        Optional<String> refusal = access.refusal(authorization, AdminLogin.sessionCookie(request));
        if (refusal.isPresent()) {
            if (path.equals("/") && authorization == null) {
                redirect(response, callback, "login");
                return;
            }
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"gatehouse-admin\"");
            refuse(request, response, callback, 401, refusal.get());
            return;
        }
        switch (path) {
            case "/" -> write(response, callback, "text/html; charset=utf-8", asset("index.html"));
            case "/metrics" ->
                write(
                        response,
                        callback,
                        "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape().getBytes(StandardCharsets.UTF_8));
            default -> write(response, callback, "application/json", JSON.writeValueAsBytes(status.get()));
        }
    }

    static void refuse(Request request, Response response, Callback callback, int status, String why) {
        LOG.warn(
                "admin: refused {} {} from {}: {}",
                request.getMethod(),
                Request.getPathInContext(request),
                Request.getRemoteAddr(request),
                why);
        Problems.write(response, callback, status, "Not allowed on the admin port: " + why + ".", null);
    }

    private static void secure(Response response) {
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "same-origin"); // a same-origin form post keeps its Origin
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    }

    static void redirect(Response response, Callback callback, String location) {
        response.setStatus(303);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        callback.succeeded();
    }

    static byte[] asset(String name) {
        try (InputStream in = AdminServer.class.getResourceAsStream(ASSETS + name)) {
            if (in == null) {
                throw new IllegalStateException("missing console asset " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Response response, Callback callback, String type, byte[] body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * What {@code /admin/status} answers for {@code gateway}: {@code {"routes": [...], "stores": {...},
     * "refusals": {"total": 3, "recent": [...]}, "config": {...} or null}}.
     */
    static Map<String, Object> status(Gateway gateway, Map<String, Object> stores, @Nullable ConfigReloads config) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("routes", gateway.status());
        status.put("stores", stores);
        status.put("refusals", Map.of("total", gateway.refusalCount(), "recent", gateway.recentRefusals()));
        status.put("config", config == null ? null : config.status());
        return status;
    }

    /** Answers {@code POST /admin/cache/purge?key=…|prefix=…} from the store {@code cache} gives at the time. */
    public AdminServer purging(Supplier<HttpCacheStore> cache) {
        this.cachePurge = new CachePurge(cache);
        return this;
    }

    public AdminServer start() throws Exception {
        server.start();
        return this;
    }

    public URI uri() {
        String host = connector.getHost();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort());
    }

    public void stop() throws Exception {
        server.stop();
    }
}
