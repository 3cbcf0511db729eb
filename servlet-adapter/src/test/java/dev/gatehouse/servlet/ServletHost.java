package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;

/**
 * A servlet container on an ephemeral loopback port, with one servlet mapped to {@link ConformanceServlet#PATHS}
 * (so it is the default servlet too) behind {@link OffloadFilter} as {@link FilterSetup} puts it there.
 */
abstract class ServletHost implements ConformanceHost {
    final FilterSetup filter;

    ServletHost(FilterSetup filter) {
        this.filter = filter;
    }

    @Override
    public final URI start(RouteTable routes, ConformanceService service) throws Exception {
        return start(routes, new ConformanceServlet(service));
    }

    /** Starts the container with {@code servlet} (async-supported) behind the filter. */
    abstract URI start(RouteTable routes, HttpServlet servlet) throws Exception;
}
