package dev.gatehouse.testing.conformance;

import dev.gatehouse.RouteTable;
import java.net.URI;

/**
 * A real server that runs the {@link ConformanceService}'s endpoints behind a route table, on an ephemeral
 * loopback port. Adding a host to the suite means implementing these three methods.
 */
public interface ConformanceHost {

    /** Starts the server; returns the base URI, without a trailing slash, of the service's endpoints. */
    URI start(RouteTable routes, ConformanceService service) throws Exception;

    void stop() throws Exception;

    /**
     * The base URI of the same endpoints on the host's TLS listener, when it has one: started with {@link
     * #start}, with {@link ConformanceTls}'s server certificate, requesting (not requiring) client certificates of
     * its client CA. Empty for a host that cannot listen with TLS.
     */
    default java.util.Optional<URI> tlsBase() {
        return java.util.Optional.empty();
    }

    /** For test reports: {@code "servlet on Jetty 12.1"}. */
    String name();

    /**
     * Whether a HEAD response can go out without {@code Content-Length} when a policy removed it (compression
     * does, since the encoded length of the GET body is unknown). A host that cannot must say why.
     */
    default boolean sendsHeadWithoutContentLength() {
        return true;
    }
}
