package dev.gatehouse.examples.gateway;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.RouteTable;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's routes as they run: each matched once per request (most specific first: longest prefix, then
 * host and header conditions), the chosen one remembered on the request for the proxy servlet, and its
 * policy chain run by its own {@link OffloadFilter}.
 */
final class Routing implements Filter {
    private static final String CHOSEN = Routing.class.getName() + ".route";

    /** A route, its upstreams' live state and its chain's filter. */
    record Live(GatewayRoute config, String name, Upstreams upstreams, OffloadFilter filter) {}

    private final List<Live> routes;
    private final Map<String, OffloadFilter> exact;
    private final OffloadFilter otherwise;
    private final @Nullable OffloadFilter policies;

    /**
     * @param exactPaths paths answered by the gateway itself (health, aggregations) with their chains
     * @param policies one table for every request instead of the routes' own chains (the conformance host)
     */
    Routing(
            List<GatewayRoute> routes,
            Map<String, PolicyChain> exactPaths,
            PolicyChain otherwise,
            @Nullable RouteTable policies) {
        // Each route runs its own table; every table removes the identity headers any route's policies set.
        List<PolicyChain> chains = new ArrayList<>(exactPaths.values());
        routes.forEach(route -> chains.add(route.chain()));
        chains.add(otherwise);
        String[] protectedHeaders = protectedByAny(chains);
        List<Live> live = new ArrayList<>();
        for (GatewayRoute route : routes) {
            String name = route.describe();
            RouteTable table = RouteTable.builder()
                    .route(route.prefix(), route.chain())
                    .route(route.prefix().endsWith("/") ? route.prefix() + "**" : route.prefix() + "/**", route.chain())
                    .otherwise(route.chain())
                    .protect(protectedHeaders)
                    .build();
            live.add(new Live(route, name, new Upstreams(name, route), OffloadFilter.of(table)));
        }
        live.sort(Comparator.comparingInt((Live route) -> route.config().specificity())
                .reversed());
        this.routes = List.copyOf(live);
        Map<String, OffloadFilter> filters = new LinkedHashMap<>();
        exactPaths.forEach((path, chain) -> filters.put(
                path,
                OffloadFilter.of(RouteTable.builder()
                        .route(path, chain)
                        .protect(protectedHeaders)
                        .build())));
        this.exact = filters;
        this.otherwise = OffloadFilter.of(RouteTable.builder()
                .otherwise(otherwise)
                .protect(protectedHeaders)
                .build());
        this.policies = policies == null ? null : OffloadFilter.of(policies);
    }

    private static String[] protectedByAny(List<PolicyChain> chains) {
        ProtectedHeaders all = ProtectedHeaders.none();
        for (PolicyChain chain : chains) {
            all = all.and(RouteTable.of(chain).protectedRequestHeaders());
        }
        return all.names().toArray(String[]::new);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain next)
            throws IOException, ServletException {
        HttpServletRequest http = HopByHopRequest.of((HttpServletRequest) request);
        request = http;
        OffloadFilter filter;
        OffloadFilter exactFilter = exact.get(http.getRequestURI());
        if (exactFilter != null) {
            filter = exactFilter;
        } else {
            Live route = match(http);
            if (route != null) {
                request.setAttribute(CHOSEN, route);
            }
            filter = route == null ? otherwise : route.filter();
        }
        (policies == null ? filter : policies).doFilter(request, response, next);
    }

    private @Nullable Live match(HttpServletRequest request) {
        for (Live route : routes) {
            if (route.config().matches(request)) {
                return route;
            }
        }
        return null;
    }

    /** The route the request was matched to; null for none. */
    @Nullable
    Live of(HttpServletRequest request) {
        return request.getAttribute(CHOSEN) instanceof Live live ? live : null;
    }

    List<Live> routes() {
        return routes;
    }
}
