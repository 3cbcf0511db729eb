package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * Tomcat 11 (embedded). The filter is set up from a {@link ServletContainerInitializer}, as the README shows, or
 * ({@link FilterSetup#NATIVE}) with a {@code FilterDef} and a {@code FilterMap}.
 */
final class TomcatServletHost extends ServletHost {
    private Tomcat tomcat;
    private Path baseDir;
    private Connector tlsConnector;

    TomcatServletHost(FilterSetup filter) {
        super(filter);
    }

    @Override
    URI start(RouteTable routes, HttpServlet servlet) throws Exception {
        baseDir = Files.createTempDirectory("gatehouse-tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        tlsConnector = TomcatTls.connector();
        tomcat.getService().addConnector(tlsConnector);

        Context context = tomcat.addContext("", null);
        if (filter == FilterSetup.NATIVE) {
            FilterDef definition = new FilterDef();
            definition.setFilterName("offload");
            definition.setFilter(OffloadFilter.of(routes));
            context.addFilterDef(definition);
            FilterMap mapping = new FilterMap();
            mapping.setFilterName("offload");
            mapping.addURLPattern("/*");
            mapping.setDispatcher(DispatcherType.REQUEST.name());
            mapping.setDispatcher(DispatcherType.ASYNC.name());
            context.addFilterMap(mapping);
        } else {
            context.addServletContainerInitializer(
                    (types, servletContext) -> filter.apply(servletContext, routes), null);
        }
        Wrapper wrapper = Tomcat.addServlet(context, "service", servlet);
        wrapper.setAsyncSupported(true);
        for (String path : ConformanceServlet.PATHS) {
            context.addServletMappingDecoded(path, "service", false);
        }
        tomcat.start();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public Optional<URI> tlsBase() {
        return Optional.of(URI.create("https://127.0.0.1:" + tlsConnector.getLocalPort()));
    }

    @Override
    public void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        try (Stream<Path> paths = Files.walk(baseDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a temporary directory left behind is no test failure
        }
    }

    @Override
    public String name() {
        return "servlet on Tomcat 11 (embedded), " + filter;
    }
}
