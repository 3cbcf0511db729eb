package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.conformance.ConformanceTls;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * Undertow 2.3 (embedded). The filter is set up from a {@link ServletContainerInitializer}, as the README shows, or
 * ({@link FilterSetup#NATIVE}) with a {@code FilterInfo} and its URL mappings.
 */
final class UndertowServletHost extends ServletHost {
    private DeploymentManager deployment;
    private Undertow server;

    UndertowServletHost(FilterSetup filter) {
        super(filter);
    }

    @Override
    URI start(RouteTable routes, HttpServlet servlet) throws Exception {
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(UndertowServletHost.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("service")
                .addServlet(Servlets.servlet("service", HttpServlet.class, new ImmediateInstanceFactory<>(servlet))
                        .setAsyncSupported(true)
                        .addMappings(ConformanceServlet.PATHS));
        if (filter == FilterSetup.NATIVE) {
            info.addFilter(Servlets.filter(
                            "offload", OffloadFilter.class, new ImmediateInstanceFactory<>(OffloadFilter.of(routes))))
                    .addFilterUrlMapping("offload", "/*", DispatcherType.REQUEST)
                    .addFilterUrlMapping("offload", "/*", DispatcherType.ASYNC);
        } else {
            ServletContainerInitializer initializer = (types, servletContext) -> filter.apply(servletContext, routes);
            info.addServletContainerInitializer(new ServletContainerInitializerInfo(
                    ServletContainerInitializer.class, new ImmediateInstanceFactory<>(initializer), Set.of()));
        }
        deployment = Servlets.newContainer().addDeployment(info);
        deployment.deploy();
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .addHttpsListener(0, "127.0.0.1", ConformanceTls.serverContext())
                .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUESTED)
                .setHandler(deployment.start())
                .build();
        server.start();
        InetSocketAddress address =
                (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        return URI.create("http://127.0.0.1:" + address.getPort());
    }

    @Override
    public Optional<URI> tlsBase() {
        InetSocketAddress address =
                (InetSocketAddress) server.getListenerInfo().get(1).getAddress();
        return Optional.of(URI.create("https://127.0.0.1:" + address.getPort()));
    }

    @Override
    public void stop() throws Exception {
        server.stop();
        deployment.stop();
        deployment.undeploy();
    }

    @Override
    public String name() {
        return "servlet on Undertow 2.3 (embedded), " + filter;
    }
}
