package dev.gatehouse.examples.bench;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.servlet.OffloadFilter;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The Tomcat side of {@code benchmarks/servlet.sh}: the echo servlet on embedded Tomcat 11, plainly and behind
 * {@code OffloadFilter} (registered as the README shows) with the chain of {@link LoadTargets}' {@code services}
 * — request id + access log + JWT (cached) + local rate limit, no compression — and the same with the access log's
 * logger at WARN. Prints {@code plain=<port> filtered=<port> quiet=<port> token=<jwt>}. Tomcat is not in the
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
        System.out.printf(
                "plain=%d filtered=%d quiet=%d token=%s%n",
                port(plain), port(filtered), port(quiet), LoadTargets.token(secret));
        System.out.flush();
        plain.getServer().await();
    }

    private static Tomcat service(@Nullable PolicyChain chain) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("gatehouse-bench-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        if (chain != null) {
            context.addServletContainerInitializer(
                    (types, servletContext) -> OffloadFilter.register(servletContext, chain), null);
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
