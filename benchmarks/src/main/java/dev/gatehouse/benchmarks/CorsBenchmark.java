package dev.gatehouse.benchmarks;

import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.cors.CorsPolicy;
import org.openjdk.jmh.annotations.Param;

/**
 * {@link CorsPolicy} per exchange (target: ≤ 100 ns over {@code hostOnly} when it has nothing to do): {@code none}
 * is a same-origin or server-to-server request without {@code Origin} (the policy only adds {@code Vary:
 * Origin}); {@code allowed} an actual request from a listed origin; {@code pattern} one matched by a pattern.
 */
public class CorsBenchmark extends PolicyBenchmark {
    @Param({"none", "allowed", "pattern"})
    public String origin;

    @Override
    protected OffloadPolicy policy() {
        return CorsPolicy.builder()
                .allowOrigins("https://app.example.com", "https://*.example.org")
                .allowHeaders("Authorization")
                .allowCredentials()
                .build();
    }

    @Override
    protected Headers extraClientHeaders() {
        return switch (origin) {
            case "allowed" -> Headers.of("Origin", "https://app.example.com");
            case "pattern" -> Headers.of("Origin", "https://shop.example.org");
            default -> Headers.empty();
        };
    }
}
