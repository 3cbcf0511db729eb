package dev.gatehouse.examples.gateway;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.RouteTable;
import dev.gatehouse.jetty.OffloadHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * One immutable set of routes, what a reload swaps as a whole. For each request, in this order:
 *
 * <ol>
 *   <li>the client's hop-by-hop fields are removed ({@link HopByHopRequest}), all but a WebSocket upgrade's on a
 *       route that relays WebSockets;
 *   <li>the route is resolved once: an exact path the gateway answers itself ({@code /health}, aggregations), else
 *       the most specific route whose path prefix, host and headers match, else the fallback (404);
 *   <li>the route ({@link LiveRoute}, with its upstreams) is attached to the request, and the route's {@link
 *       OffloadHandler} runs its policy chain — behind which the {@link UpstreamHandler} calls the upstreams.
 * </ol>
 *
 * Each route runs its own table; every table removes the client copies of the identity headers that any route's
 * policies set, so that a route without authentication never forwards a client's {@code X-User-Id}. Routes without
 * the {@code proxy-hygiene} step get it ({@link ProxyHygienePolicy}: TRACE 405, OPTIONS {@code Max-Forwards: 0}
 * answered) after their leading request id, client address, access log and security headers, else first.
 */
final class RouteSet {
    private static final ProxyHygienePolicy HYGIENE = new ProxyHygienePolicy();
    /** The name refusals of requests that match no route are recorded under. */
    static final String NO_ROUTE = "(no route)";

    /** A route and the handler that runs its chain in front of the upstream call. */
    private record Entry(LiveRoute live, Handler offload) {}

    private final List<Entry> routes;
    private final Map<String, Handler> exact;
    private final Handler otherwise;
    /** The fallback chain, then 405 with the {@code Allow} the request carries in {@link #ALLOW}. */
    private final Handler methodNotAllowed;

    /** The request attribute that carries a 405's {@code Allow} value. */
    private static final String ALLOW = RouteSet.class.getName() + ".allow";

    private final ClientHeaderFilter clientHeaders;

    /**
     * @param policies one table for every request instead of the routes' own chains (the conformance host)
     * @param clientHeaders the client's fields removed before any policy, on every route
     */
    RouteSet(
            ClientHeaderFilter clientHeaders,
            List<GatewayRoute> routes,
            List<Gateway.Aggregation> aggregations,
            PolicyChain otherwise,
            @Nullable RouteTable policies,
            Handler upstream,
            HttpClient client,
            InstantSource clock,
            @Nullable ConsoleRecorder console) {
        this.clientHeaders = clientHeaders;
        List<PolicyChain> chains = new ArrayList<>();
        aggregations.forEach(aggregation -> chains.add(aggregation.chain()));
        routes.forEach(route -> chains.add(route.chain()));
        chains.add(otherwise);
        String[] protectedHeaders = protectedByAny(chains);
        List<Entry> entries = new ArrayList<>();
        for (GatewayRoute route : routes) {
            String name = route.describe();
            PolicyChain chain = observed(withHygiene(route.chain()), name, true, console);
            RouteTable table = named(route.prefix(), chain, protectedHeaders);
            entries.add(new Entry(
                    new LiveRoute(route, name, chain.names(), new Upstreams(name, route, clock)),
                    offload(policies != null ? policies : table, upstream)));
        }
        entries.sort(
                Comparator.comparingInt((Entry entry) -> entry.live().config().specificity())
                        .reversed());
        this.routes = List.copyOf(entries);
        Map<String, Handler> exactPaths = new HashMap<>();
        exactPaths.put(
                "/health",
                offload(
                        policies != null ? policies : table(PolicyChain.empty(), protectedHeaders),
                        new HealthHandler()));
        for (Gateway.Aggregation aggregation : aggregations) {
            exactPaths.put(
                    aggregation.path(),
                    offload(
                            policies != null
                                    ? policies
                                    : table(
                                            observed(aggregation.chain(), aggregation.path(), false, console),
                                            protectedHeaders),
                            new AggregationHandler(
                                    client,
                                    aggregation.parts(),
                                    aggregation.timeout(),
                                    RouteTable.of(aggregation.chain())
                                            .protectedRequestHeaders()
                                            .names())));
        }
        this.exact = Map.copyOf(exactPaths);
        RouteTable fallback =
                policies != null ? policies : table(observed(otherwise, NO_ROUTE, false, console), protectedHeaders);
        this.otherwise = offload(fallback, new NotFound());
        this.methodNotAllowed = offload(fallback, new MethodNotAllowed());
    }

    /**
     * The table of a route the gateway has already matched: its one chain for every request, under the route's
     * prefix, so that metrics ({@code route} tag) and the access log name the route rather than {@code /**}.
     */
    private static RouteTable named(String prefix, PolicyChain chain, String[] protectedHeaders) {
        String pattern = prefix.equals("/") || prefix.contains("*") ? "/**" : prefix + "/**";
        return RouteTable.builder()
                .otherwise(pattern, chain)
                .protect(protectedHeaders)
                .build();
    }

    private static RouteTable table(PolicyChain chain, String[] protectedHeaders) {
        return RouteTable.builder().otherwise(chain).protect(protectedHeaders).build();
    }

    private static Handler offload(RouteTable table, Handler next) {
        OffloadHandler offload = OffloadHandler.of(table);
        offload.setHandler(next);
        return offload;
    }

    /** Policies that refuse nothing and must see every answer, the hygiene step's among them: it goes after them. */
    private static final Set<String> AHEAD_OF_HYGIENE =
            Set.of("request-id", "client-address", "access-log", "security-headers");

    /**
     * {@code chain} with the {@code proxy-hygiene} step, when it has none: after its leading request id, client
     * address, access log and security headers (so that a TRACE refused has an id, a log line and the route's
     * security headers), else first.
     */
    private static PolicyChain withHygiene(PolicyChain chain) {
        if (chain.names().contains("proxy-hygiene")) {
            return chain;
        }
        int at = 0;
        while (at < chain.size() && AHEAD_OF_HYGIENE.contains(chain.name(at))) {
            at++;
        }
        PolicyChain.Builder builder = PolicyChain.builder();
        for (int i = 0; i < chain.size(); i++) {
            if (i == at) {
                builder.add("proxy-hygiene", HYGIENE);
            }
            builder.add(chain.name(i), chain.policy(i));
        }
        if (at == chain.size()) {
            builder.add("proxy-hygiene", HYGIENE);
        }
        return builder.nanoClock(chain::nanoTime).listener(chain.listener()).build();
    }

    /** {@code chain} with the console's listener for {@code name} in front of its own; as it is without a console. */
    private static PolicyChain observed(
            PolicyChain chain, String name, boolean counted, @Nullable ConsoleRecorder console) {
        if (console == null) {
            return chain;
        }
        return copy(chain, PolicyChain.builder())
                .listener(console.listener(name, counted, chain.listener()))
                .build();
    }

    private static PolicyChain.Builder copy(PolicyChain chain, PolicyChain.Builder builder) {
        for (int i = 0; i < chain.size(); i++) {
            builder.add(chain.name(i), chain.policy(i));
        }
        return builder.nanoClock(chain::nanoTime);
    }

    private static String[] protectedByAny(List<PolicyChain> chains) {
        ProtectedHeaders all = ProtectedHeaders.none();
        for (PolicyChain chain : chains) {
            all = all.and(RouteTable.of(chain).protectedRequestHeaders());
        }
        return all.names().toArray(String[]::new);
    }

    boolean handle(Request request, Response response, Callback callback) throws Exception {
        Request clientRequest = HopByHopRequest.of(request, clientHeaders);
        String path = Request.getPathInContext(clientRequest);
        Handler exactHandler = exact.get(path);
        if (exactHandler != null) {
            return exactHandler.handle(clientRequest, response, callback);
        }
        Entry route = match(clientRequest, path);
        if (route == null) {
            String allow = allowed(clientRequest, path);
            if (allow != null) {
                clientRequest.setAttribute(ALLOW, allow);
                return methodNotAllowed.handle(clientRequest, response, callback);
            }
            return otherwise.handle(clientRequest, response, callback);
        }
        if (route.live().config().websocket() != null && HopByHopRequest.isWebSocketUpgrade(request)) {
            clientRequest = HopByHopRequest.keepingWebSocketUpgrade(request, clientHeaders);
        }
        route.live().attachTo(clientRequest);
        return route.offload().handle(clientRequest, response, callback);
    }

    private @Nullable Entry match(Request request, String path) {
        String host = Request.getServerName(request);
        String method = request.getMethod();
        String requested = method.equals("OPTIONS")
                ? request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD)
                : null; // read only for what may be a preflight: every request passes here
        for (Entry entry : routes) {
            GatewayRoute route = entry.live().config();
            if (route.matchesMethod(method, requested) && route.matches(path, host, request.getHeaders()::get)) {
                return entry;
            }
        }
        return null;
    }

    /**
     * For a request no route takes: the methods of the routes that would take its path, host and headers (their
     * {@code Allow}), or null when there are none (404).
     */
    private @Nullable String allowed(Request request, String path) {
        String host = Request.getServerName(request);
        java.util.TreeSet<String> methods = new java.util.TreeSet<>();
        for (Entry entry : routes) {
            GatewayRoute route = entry.live().config();
            if (!route.methods().isEmpty() && route.matches(path, host, request.getHeaders()::get)) {
                methods.addAll(route.methods());
            }
        }
        return methods.isEmpty() ? null : String.join(", ", methods);
    }

    List<LiveRoute> routes() {
        return routes.stream().map(Entry::live).toList();
    }

    /** {@code {"status":"up"}}: the gateway itself is serving. */
    private static final class HealthHandler extends Handler.Abstract.NonBlocking {
        private static final byte[] UP = "{\"status\":\"up\"}".getBytes(StandardCharsets.UTF_8);

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, UP.length);
            response.write(true, ByteBuffer.wrap(UP), callback);
            return true;
        }
    }

    /** A route takes the path but not the method: 405 problem+json with {@code Allow}, after the fallback chain. */
    private static final class MethodNotAllowed extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Object allow = request.getAttribute(ALLOW);
            response.getHeaders().put(HttpHeader.ALLOW, String.valueOf(allow));
            Problems.note(request, "route", "reject", request.getMethod() + " not in " + allow);
            Problems.write(response, callback, 405, "The route does not take this method.", null);
            return true;
        }
    }

    /** No route matches: 404 problem+json, after the fallback chain. */
    private static final class NotFound extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Problems.write(response, callback, 404, "No route for this path.", null);
            return true;
        }
    }
}
