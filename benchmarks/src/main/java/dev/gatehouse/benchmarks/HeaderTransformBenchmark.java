package dev.gatehouse.benchmarks;

import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.headers.HeaderTransformPolicy;
import org.openjdk.jmh.annotations.Param;

/**
 * {@link HeaderTransformPolicy} per exchange (target: ≤ 100 ns over {@code hostOnly} when it has nothing to do):
 * {@code idle} removes a response field the service did not send; {@code anonymous} also sets a request field
 * from the principal for a request without one (the field is removed).
 */
public class HeaderTransformBenchmark extends PolicyBenchmark {
    @Param({"idle", "anonymous"})
    public String transforms;

    @Override
    protected OffloadPolicy policy() {
        HeaderTransformPolicy.Builder builder = HeaderTransformPolicy.builder().removeResponseHeader("Server");
        if (transforms.equals("anonymous")) {
            builder.setRequestHeader("X-Org", "{claim.org}");
        }
        return builder.build();
    }
}
