package dev.gatehouse.examples;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.jaxrs.OffloadFeature;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * An existing Jersey application that gains request ids, trace context and a decision log by registering
 * {@link OffloadFeature}; the resource reads the request id as a plain header.
 *
 * <p>Run: {@code java -cp examples/target/gatehouse-examples-*-all.jar dev.gatehouse.examples.JerseyServiceExample
 * [port]}, then {@code curl -i localhost:8081/orders/42}.
 */
public final class JerseyServiceExample {
    private final Server server;
    private final ServerConnector connector;

    /** The application's own resource: it knows nothing of Gatehouse. */
    @Path("/orders")
    public static final class OrdersResource {
        @GET
        @Path("{id}")
        @Produces(MediaType.APPLICATION_JSON)
        public String order(@PathParam("id") String id, @HeaderParam("X-Request-Id") String requestId) {
            return "{\"id\":\"" + id.replaceAll("[^A-Za-z0-9_-]", "") + "\",\"status\":\"shipped\",\"requestId\":\""
                    + requestId + "\"}";
        }
    }

    private JerseyServiceExample(String host, int port) {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        PolicyChain chain = PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("access-log", AccessLogPolicy.ofDefaults())
                .build();
        ResourceConfig application = new ResourceConfig(OrdersResource.class).register(OffloadFeature.of(chain));

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new ServletContainer(application)), "/*");
        server.setHandler(context);
    }

    public static JerseyServiceExample start(String host, int port) throws Exception {
        JerseyServiceExample example = new JerseyServiceExample(host, port);
        example.server.start();
        return example;
    }

    public URI uri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    public void stop() throws Exception {
        server.stop();
    }

    public static void main(String[] args) throws Exception {
        JerseyServiceExample example = start("127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 8081);
        System.out.printf("Jersey service with OffloadFeature on %1$s%nTry: curl -i %1$s/orders/42%n", example.uri());
        example.server.join();
    }
}
