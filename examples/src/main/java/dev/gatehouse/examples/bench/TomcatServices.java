package dev.gatehouse.examples.bench;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The Tomcat side of {@code benchmarks/servlet.sh}: the echo servlet on embedded Tomcat 11, plainly and behind
 * {@code OffloadFilter} (registered as the README shows) with the chain of {@link LoadTargets}' {@code services}
 * — request id + access log + JWT (cached) + local rate limit, no compression — and the same with the access log's
 * logger at WARN, and behind {@link FieldsOnlyFilter}. Prints {@code plain=<port> filtered=<port> quiet=<port>
 * floor=<port> token=<jwt>}. Tomcat is not in the
 * examples jar (its Servlet 6.1 classes would shadow Jetty's 6.0 ones): put {@code tomcat-embed-core} ahead of it
 * on the class path.
 */
public final class TomcatServices {
    private TomcatServices() {}

    public static void main(String[] args) throws Exception {
        byte[] secret = LoadTargets.secret();
        Tomcat plain = service(null);
        Tomcat filtered = service(LoadTargets.serviceChain(secret, LoggerFactory.getLogger(LoadTargets.ACCESS_LOG)));
        Tomcat quiet = service(LoadTargets.serviceChain(secret, LoadTargets.quietAccessLog()));
        Tomcat floor = serviceWith(servletContext -> servletContext
                .addFilter("floor", new FieldsOnlyFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*"));
        System.out.printf(
                "plain=%d filtered=%d quiet=%d floor=%d token=%s%n",
                port(plain), port(filtered), port(quiet), port(floor), LoadTargets.token(secret));
        System.out.flush();
        plain.getServer().await();
    }

    private static Tomcat service(@Nullable PolicyChain chain) throws Exception {
        return serviceWith(chain == null ? null : servletContext -> OffloadFilter.register(servletContext, chain));
    }

    /** The echo servlet, with the filters {@code filters} registers (none when null). */
    private static Tomcat serviceWith(@Nullable Consumer<ServletContext> filters) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("gatehouse-bench-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        if (filters != null) {
            context.addServletContainerInitializer((types, servletContext) -> filters.accept(servletContext), null);
        }
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMappingDecoded("/*", "echo");
        tomcat.start();
        return tomcat;
    }

    private static int port(Tomcat tomcat) {
        return tomcat.getConnector().getLocalPort();
    }
}
