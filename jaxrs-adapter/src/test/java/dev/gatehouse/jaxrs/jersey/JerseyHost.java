package dev.gatehouse.jaxrs.jersey;

import dev.gatehouse.jaxrs.ConformanceResource;
import dev.gatehouse.jaxrs.JaxrsJettyHost;
import dev.gatehouse.jaxrs.OffloadFeature;
import dev.gatehouse.testing.conformance.ConformanceService;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/** Jersey 3.1 in Jetty 12.1. */
final class JerseyHost extends JaxrsJettyHost {
    @Override
    protected ServletHolder servlet(OffloadFeature feature, ConformanceService service) {
        ResourceConfig application = new ResourceConfig()
                .register(feature)
                .register(new ConformanceResource(service))
                .register(ConformanceResource.ApplicationErrorMapper.class);
        return holder(new ServletContainer(application), Map.of());
    }

    @Override
    public String name() {
        return "Jersey 3.1 on Jetty 12.1";
    }

    /**
     * Known gap: Jersey buffers outbound entities to compute Content-Length and, for HEAD, commits the empty
     * buffer as {@code Content-Length: 0} when a policy removed the header.
     */
    @Override
    public boolean sendsHeadWithoutContentLength() {
        return false;
    }
}
