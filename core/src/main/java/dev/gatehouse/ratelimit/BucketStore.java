package dev.gatehouse.ratelimit;

import java.util.List;

/** Where buckets live: in this process ({@link LocalBucketStore}) or shared (the Redis store). */
public interface BucketStore {
    /**
     * Takes {@code cost} tokens from the bucket of {@code key} in every window of {@code limits}, atomically:
     * all or none.
     *
     * @throws StoreUnavailableException when the store cannot answer in time
     */
    Consumption tryConsume(String key, List<Limit> limits, long cost);
}
