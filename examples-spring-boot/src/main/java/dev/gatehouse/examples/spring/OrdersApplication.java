package dev.gatehouse.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An orders service that knows nothing of authentication, rate limits, compression or idempotency: the starter
 * does all of that from {@code application.yml}. Run it with {@code ./mvnw -pl examples-spring-boot -am
 * spring-boot:run} or from the IDE.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class OrdersApplication {
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
