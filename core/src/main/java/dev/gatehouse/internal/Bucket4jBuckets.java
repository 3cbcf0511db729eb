package dev.gatehouse.internal;

import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.VerboseResult;
import java.util.List;

/** What every store over bucket4j's distributed buckets shares: limits as a configuration, a probe as a result. */
public final class Bucket4jBuckets {
    private Bucket4jBuckets() {}

    /** One greedy-refill bandwidth per limit, named after it. */
    public static BucketConfiguration configuration(List<Limit> limits) {
        ConfigurationBuilder builder = BucketConfiguration.builder();
        for (Limit limit : limits) {
            builder.addLimit(bandwidth -> bandwidth
                    .capacity(limit.quota())
                    .refillGreedy(limit.quota(), limit.window())
                    .id(limit.name()));
        }
        return builder.build();
    }

    public static Consumption consumption(VerboseResult<ConsumptionProbe> result) {
        ConsumptionProbe probe = result.getValue();
        return new Consumption(
                probe.isConsumed(),
                result.getDiagnostics().getAvailableTokensPerEachBandwidth(),
                probe.getNanosToWaitForRefill());
    }
}
