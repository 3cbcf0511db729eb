package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceService;
import dev.gatehouse.testing.conformance.ConformanceSuite;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The conformance suite through the starter on Spring Boot's embedded Tomcat: the suite's route table is the
 * application's own {@link RouteTable} bean (the auto-configured one backs off), the filter is the starter's
 * registration, and Spring MVC's {@code DispatcherServlet} with Boot's error handling sits beside the suite's
 * servlet. The suite's {@code /error} endpoint is the servlet's, so Boot's error page moves to {@code
 * /boot-error}.
 */
class SpringBootConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new SpringBootHost();
    }

    static final class SpringBootHost implements ConformanceHost {
        private ConfigurableApplicationContext context;
        private Connector tlsConnector;

        @Override
        public URI start(RouteTable routes, ConformanceService service) {
            SpringApplication application = new SpringApplication(Application.class);
            tlsConnector = TomcatTls.connector();
            application.addInitializers(context -> {
                context.getBeanFactory().registerSingleton("conformanceTlsConnector", tlsConnector);
                context.getBeanFactory().registerSingleton("conformanceRoutes", routes);
                context.getBeanFactory().registerSingleton("conformanceService", service);
            });
            context = application.run(
                    "--server.port=0",
                    "--server.address=127.0.0.1",
                    "--spring.web.error.path=/boot-error",
                    "--spring.main.banner-mode=off");
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            return URI.create("http://127.0.0.1:" + port);
        }

        /** A second, TLS connector on the embedded Tomcat; the application would set {@code server.ssl.*}. */
        @Override
        public Optional<URI> tlsBase() {
            return Optional.of(URI.create("https://127.0.0.1:" + tlsConnector.getLocalPort()));
        }

        @Override
        public void stop() {
            context.close();
        }

        @Override
        public String name() {
            return "Spring Boot starter on embedded Tomcat";
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> conformanceTls(Connector conformanceTlsConnector) {
            return factory -> factory.addAdditionalConnectors(conformanceTlsConnector);
        }

        /** The suite's servlet on its paths; {@code /} stays Spring MVC's, whose 404 is Boot's. */
        @Bean
        ServletRegistrationBean<ConformanceServlet> conformanceServlet(ConformanceService service) {
            ServletRegistrationBean<ConformanceServlet> registration = new ServletRegistrationBean<>(
                    new ConformanceServlet(service),
                    Arrays.stream(ConformanceServlet.PATHS)
                            .filter(path -> !path.equals("/"))
                            .toArray(String[]::new));
            registration.setAsyncSupported(true);
            return registration;
        }
    }
}
