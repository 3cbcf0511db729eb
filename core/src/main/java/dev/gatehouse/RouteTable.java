package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses the chain for a request by method and path: routes are tried in order, the first match wins, and
 * requests that match none get the default chain. Per-route escape hatches live here: {@code /health}
 * without authentication, {@code /payments/**} with an idempotency key.
 *
 * <pre>{@code
 * RouteTable routes = RouteTable.builder()
 *         .route("GET", "/health", PolicyChain.of(requestIds))
 *         .route("/payments/**", PolicyChain.of(requestIds, accessLog, auth, idempotency))
 *         .otherwise(PolicyChain.of(requestIds, accessLog, auth))
 *         .build();
 * }</pre>
 */
public final class RouteTable {
    private final List<Route> routes;
    private final Route fallback;
    private final ProtectedHeaders protectedHeaders;

    private RouteTable(List<Route> routes, Route fallback, ProtectedHeaders protectedHeaders) {
        this.routes = List.copyOf(routes);
        this.fallback = fallback;
        this.protectedHeaders = protectedHeaders;
    }

    /** One chain for every request. */
    public static RouteTable of(PolicyChain chain) {
        return builder().otherwise(chain).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first route that matches, or the default route ({@code /**}). */
    public Route select(String method, String path) {
        if (!routes.isEmpty()) {
            String[] segments = Route.split(path);
            for (Route route : routes) {
                if ((route.methods().isEmpty() || route.methods().contains(method)) && route.matchesPath(segments)) {
                    return route;
                }
            }
        }
        return fallback;
    }

    /** The request headers whose client copies are removed on every route before any policy runs. */
    public ProtectedHeaders protectedRequestHeaders() {
        return protectedHeaders;
    }

    public List<Route> routes() {
        return routes;
    }

    @Override
    public String toString() {
        return "RouteTable" + routes + " otherwise " + fallback.chain();
    }

    /** Builds a {@link RouteTable}; routes are tried in the order they are added. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();
        private PolicyChain fallback = PolicyChain.empty();
        private String fallbackPattern = "/**";
        private ProtectedHeaders protectedHeaders = IdentityHeaders.defaults().protectedHeaders();

        private Builder() {}

        /** A route for every method. */
        public Builder route(String pattern, PolicyChain chain) {
            routes.add(new Route(Set.of(), pattern, chain));
            return this;
        }

        /** A route for the given methods, comma-separated: {@code "GET"}, {@code "POST,PATCH"}. */
        public Builder route(String methods, String pattern, PolicyChain chain) {
            requireNonNull(methods, "methods");
            routes.add(new Route(Set.of(methods.replace(" ", "").split(",")), pattern, chain));
            return this;
        }

        /** The chain for requests no route matches; the empty chain unless set. */
        public Builder otherwise(PolicyChain chain) {
            this.fallback = requireNonNull(chain, "chain");
            return this;
        }

        /**
         * The chain for requests no route matches, reported under {@code pattern} ({@link Route#pattern()}: the
         * {@code route} of metrics and the access log) instead of {@code /**} — for a host that has already chosen
         * the route itself and hands the table only its chain.
         */
        public Builder otherwise(String pattern, PolicyChain chain) {
            new Route(Set.of(), pattern, chain); // checks the pattern now, where it is given
            this.fallbackPattern = pattern;
            return otherwise(chain);
        }

        /**
         * Also removes client copies of these request headers on every route; the default identity headers and
         * those of the table's policies are always removed.
         */
        public Builder protect(String... names) {
            protectedHeaders = protectedHeaders.and(ProtectedHeaders.of(List.of(names)));
            return this;
        }

        public RouteTable build() {
            ProtectedHeaders all = protectedHeaders;
            for (Route route : routes) {
                all = all.and(protectedBy(route.chain()));
            }
            all = all.and(protectedBy(fallback));
            return new RouteTable(routes, new Route(Set.of(), fallbackPattern, fallback), all);
        }

        private static ProtectedHeaders protectedBy(PolicyChain chain) {
            ProtectedHeaders all = ProtectedHeaders.none();
            for (int i = 0; i < chain.size(); i++) {
                all = all.and(chain.policy(i).protectedRequestHeaders());
            }
            return all;
        }
    }
}
