package dev.gatehouse.jaxrs.resteasy;

import dev.gatehouse.jaxrs.ConformanceResource;
import dev.gatehouse.jaxrs.JaxrsJettyHost;
import dev.gatehouse.jaxrs.OffloadFeature;
import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;

/** RESTEasy 6.2 in Jetty 12.1, bootstrapped from an {@link Application} as a deployment would be. */
final class RestEasyHost extends JaxrsJettyHost {
    /** RESTEasy instantiates the application class itself, so the instances travel through here. */
    private static volatile Set<Object> singletons = Set.of();

    /** The application RESTEasy instantiates. */
    public static final class ConformanceApplication extends Application {
        @Override
        public Set<Object> getSingletons() {
            return singletons;
        }

        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(ConformanceResource.ApplicationErrorMapper.class);
        }
    }

    @Override
    protected ServletHolder servlet(OffloadFeature feature, ConformanceService service) {
        singletons = Set.of(feature, new ConformanceResource(service));
        return holder(
                new HttpServlet30Dispatcher(),
                Map.of("jakarta.ws.rs.Application", ConformanceApplication.class.getName()));
    }

    @Override
    public String name() {
        return "RESTEasy 6.2 on Jetty 12.1";
    }
}
