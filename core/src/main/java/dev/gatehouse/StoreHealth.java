package dev.gatehouse;

/**
 * The health of a store that a policy depends on (rate-limit buckets, idempotency records), as the decorator
 * that guards the store sees it: for metrics and health pages. Reads are cheap and thread-safe.
 *
 * <p>{@code MicrometerChainListener.bindStoreHealth(name, health)} turns one into the gauge {@code
 * gatehouse.<feature>.store.down} and the counters {@code gatehouse.<feature>.store.failures} and {@code
 * gatehouse.<feature>.failed.open}.
 */
public interface StoreHealth {
    /** What the store serves, the middle of its meter names: {@code ratelimit}, {@code idempotency}. */
    String feature();

    /** Whether the store is considered down now: its last call failed, or its breaker is open. */
    boolean down();

    /** How many store calls failed since the store was built. */
    long failures();

    /** How many requests were let through without the store while it was down (the fail-open mode). */
    long admittedWithoutStore();
}
