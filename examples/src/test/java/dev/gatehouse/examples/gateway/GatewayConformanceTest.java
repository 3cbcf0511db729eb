package dev.gatehouse.examples.gateway;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.servlet.ConformanceServlet;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import dev.gatehouse.testing.conformance.ConformanceSuite;
import dev.gatehouse.testing.conformance.ConformanceTls;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The example gateway as the fourth conformance host: the suite's policies run in the gateway, the service behind it. */
class GatewayConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new ConformanceHost() {
            private Server backend;
            private Gateway gateway;

            @Override
            public URI start(RouteTable routes, ConformanceService service) throws Exception {
                backend = new Server();
                ServerConnector connector = new ServerConnector(backend);
                connector.setHost("127.0.0.1");
                connector.setPort(0);
                backend.addConnector(connector);
                ServletContextHandler context = new ServletContextHandler();
                ServletHolder servlet = new ServletHolder(new ConformanceServlet(service));
                servlet.setAsyncSupported(true);
                for (String path :
                        new String[] {"/echo", "/text", "/stream", "/async", "/fail", "/error", "/redirect"}) {
                    context.addServlet(servlet, path);
                }
                backend.setHandler(context);
                // Like a production backend, it maps its own exceptions to a bare 500; the gateway relays what it gets.
                context.addFilter(
                        new org.eclipse.jetty.ee10.servlet.FilterHolder((request, response, chain) -> {
                            try {
                                chain.doFilter(request, response);
                            } catch (jakarta.servlet.ServletException | RuntimeException e) {
                                ((jakarta.servlet.http.HttpServletResponse) response).setStatus(500);
                                response.getOutputStream()
                                        .write("Internal Server Error"
                                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            }
                        }),
                        "/fail",
                        java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
                backend.start();
                URI upstream = URI.create("http://127.0.0.1:" + connector.getLocalPort());
                gateway = Gateway.builder()
                        .listen("127.0.0.1", 0)
                        .route(new GatewayRoute("/", List.of(upstream), PolicyChain.empty(), Duration.ofSeconds(10)))
                        .policies(routes)
                        .tls(0, ConformanceTls.serverKeyStore(), ConformanceTls.PASSWORD)
                        .clientCertificates(Gateway.ClientAuth.REQUEST, ConformanceTls.clientTrustStore())
                        .build()
                        .start();
                return gateway.uri();
            }

            @Override
            public Optional<URI> tlsBase() {
                return gateway.tlsUri().map(uri -> URI.create("https://127.0.0.1:" + uri.getPort()));
            }

            @Override
            public void stop() throws Exception {
                gateway.stop();
                backend.stop();
            }

            @Override
            public String name() {
                return "example gateway (Jetty 12.1 core)";
            }
        };
    }
}
