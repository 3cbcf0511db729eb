package dev.gatehouse.spring;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** A Spring MVC service as users write them: controllers that know nothing of Gatehouse. */
@SpringBootApplication(proxyBeanMethods = false)
class StarterTestApplication {
    static final AtomicInteger ORDERS = new AtomicInteger();
    static final AtomicInteger CACHED_CALLS = new AtomicInteger();

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    /** An application's own policy: refuses requests that ask for debugging. */
    @Bean
    OffloadPolicy noDebug() {
        return new NoDebug();
    }

    /** Moves the application's policy first, before authentication. */
    @Bean
    GatehouseCustomizer noDebugFirst() {
        return chain -> chain.remove("no-debug").ifPresent(policy -> chain.addFirst("no-debug", policy));
    }

    static final class NoDebug implements OffloadPolicy {
        @Override
        public Decision onRequest(Exchange exchange) {
            return exchange.requestHeaders().contains("X-Debug")
                    ? Decision.reject(400, "No debugging here.")
                    : Decision.proceed();
        }

        @Override
        public String name() {
            return "no-debug";
        }
    }

    @RestController
    static class Controller {
        /** The headers the service received that name a principal, whatever their letter case. */
        @GetMapping({"/api/me", "/public/me"})
        Map<String, String> me(HttpServletRequest request) {
            Map<String, String> identity = new LinkedHashMap<>();
            for (String name : Collections.list(request.getHeaderNames())) {
                if (name.toLowerCase(java.util.Locale.ROOT).startsWith("x-user")
                        || name.toLowerCase(java.util.Locale.ROOT).startsWith("x-scopes")) {
                    identity.put(name.toLowerCase(java.util.Locale.ROOT), request.getHeader(name));
                }
            }
            return identity;
        }

        @GetMapping("/public/text")
        String text() {
            return "Gatehouse compresses what the service writes. ".repeat(200);
        }

        /** Shareable for a minute; counts how often it is asked. */
        @GetMapping("/public/cached")
        ResponseEntity<String> cached() {
            return ResponseEntity.ok()
                    .header("Cache-Control", "public, max-age=60")
                    .header("Content-Type", "text/plain")
                    .body("call " + CACHED_CALLS.incrementAndGet() + " " + "cacheable text ".repeat(100));
        }

        @GetMapping("/public/limited")
        String limited() {
            return "ok";
        }

        @GetMapping("/public/fail")
        String fail() {
            throw new IllegalStateException("the controller failed");
        }

        @PostMapping("/api/orders")
        ResponseEntity<Map<String, Object>> order(@RequestBody String body) {
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(Map.of("order", ORDERS.incrementAndGet(), "received", body.length()));
        }
    }
}
