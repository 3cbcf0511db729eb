package dev.gatehouse.benchmarks;

import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.headers.SecurityHeadersPolicy;
import org.openjdk.jmh.annotations.Param;

/**
 * {@link SecurityHeadersPolicy} per exchange (target: ≤ 100 ns over {@code hostOnly} when it has nothing to do):
 * {@code service-set} is a response that already carries every header (nothing to do), {@code added} one the
 * policy completes with three fields.
 */
public class SecurityHeadersBenchmark extends PolicyBenchmark {
    @Param({"service-set", "added"})
    public String response;

    @Override
    protected OffloadPolicy policy() {
        return SecurityHeadersPolicy.ofDefaults();
    }

    @Override
    protected Headers extraResponseHeaders() {
        return response.equals("added")
                ? Headers.empty()
                : Headers.of(
                        "X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY", "Referrer-Policy", "origin");
    }
}
