package dev.gatehouse.jetty;

import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty 12.1 core on an ephemeral loopback port: the conformance handler behind {@link OffloadHandler}. */
final class JettyCoreHost implements ConformanceHost {
    private Server server;

    @Override
    public URI start(RouteTable routes, ConformanceService service) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        OffloadHandler offload = OffloadHandler.of(routes);
        offload.setHandler(new ConformanceHandler(service));
        server.setHandler(offload);
        server.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void stop() throws Exception {
        server.stop();
    }

    @Override
    public String name() {
        return "Jetty 12.1 core";
    }
}
