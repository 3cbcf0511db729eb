package dev.gatehouse.examples.gateway;

import dev.gatehouse.AttributeKey;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * A route as it runs: its configuration, the names of the policies its chain runs (in order) and its upstreams'
 * live state. The route set resolves it once per request
 * and attaches it to the request under {@link #KEY}; the upstream call reads it there.
 */
record LiveRoute(GatewayRoute config, String name, List<String> policies, Upstreams upstreams) {
    static final AttributeKey<LiveRoute> KEY = AttributeKey.of("gatehouse.gateway.route", LiveRoute.class);

    /** The route {@code request} was resolved to; null when none matched. */
    static @Nullable LiveRoute of(Request request) {
        Object route = request.getAttribute(KEY.name());
        return route == null ? null : KEY.cast(route);
    }

    void attachTo(Request request) {
        request.setAttribute(KEY.name(), this);
    }
}
