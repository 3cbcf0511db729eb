package dev.gatehouse.jaxrs;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.jaxrs.internal.ServletPeerAddressFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.util.function.Function;

/**
 * Runs a Gatehouse {@link RouteTable} (or one {@link PolicyChain}) in a Jakarta REST 3.1 application, such
 * as Jersey or RESTEasy:
 *
 * <pre>{@code
 * new ResourceConfig().register(OffloadFeature.of(chain)).register(OrdersResource.class);
 * }</pre>
 *
 * <p>It registers a {@code @PreMatching} request filter (runs the request hooks; refusals and replays abort
 * the request, so the resource is never called), a response filter (runs the response hooks on the head,
 * also for aborted requests and exception-mapped responses), a writer interceptor (streams the entity
 * through the policies' transforms, then completes the exchange) and an exception mapper for exceptions the
 * application maps to nothing (a logged 500 with a problem body, so that the policies still see it). Each
 * exchange completes exactly once: after its entity is written, or in the response filter when it has none.
 *
 * <p>The exchange's path is the request path relative to the application's base URI. The peer address is
 * read from the servlet request when the runtime runs in a servlet container; elsewhere, pass a {@link
 * Builder#peerAddress} function.
 */
public final class OffloadFeature implements Feature {
    /** Runs before authentication filters ({@code Priorities.AUTHENTICATION}); outermost on the way out. */
    public static final int PRIORITY = 100;

    private final RouteTable routes;
    private final Function<ContainerRequestContext, String> peerAddress;

    private OffloadFeature(RouteTable routes, Function<ContainerRequestContext, String> peerAddress) {
        this.routes = routes;
        this.peerAddress = peerAddress;
    }

    public static OffloadFeature of(RouteTable routes) {
        return builder(routes).build();
    }

    public static OffloadFeature of(PolicyChain chain) {
        return of(RouteTable.of(chain));
    }

    public static Builder builder(RouteTable routes) {
        return new Builder(routes);
    }

    @Override
    public boolean configure(FeatureContext context) {
        if (ServletPeerAddressFilter.servletApiPresent()) {
            context.register(ServletPeerAddressFilter.class, PRIORITY - 1);
        }
        context.register(new OffloadRequestFilter(routes, peerAddress), PRIORITY);
        context.register(new OffloadResponseFilter(), PRIORITY);
        context.register(new OffloadWriterInterceptor(), PRIORITY);
        context.register(new UnmappedExceptionMapper(), Integer.MAX_VALUE);
        return true;
    }

    @Override
    public String toString() {
        return "OffloadFeature[" + routes + "]";
    }

    /** Builds an {@link OffloadFeature}. */
    public static final class Builder {
        private final RouteTable routes;
        private Function<ContainerRequestContext, String> peerAddress = ServletPeerAddressFilter::peerAddress;

        private Builder(RouteTable routes) {
            this.routes = requireNonNull(routes, "routes");
        }

        /**
         * How to find the connection's peer address, for runtimes outside servlet containers. By default the
         * servlet request's remote address, or {@code 0.0.0.0} when there is none.
         */
        public Builder peerAddress(Function<ContainerRequestContext, String> peerAddress) {
            this.peerAddress = requireNonNull(peerAddress, "peerAddress");
            return this;
        }

        public OffloadFeature build() {
            return new OffloadFeature(routes, peerAddress);
        }
    }
}
