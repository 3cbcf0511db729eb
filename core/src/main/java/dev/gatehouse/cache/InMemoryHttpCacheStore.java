package dev.gatehouse.cache;

import static dev.gatehouse.internal.Checks.checkArgument;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Responses in a Caffeine cache of this process, bounded by bytes: each key weighs its variants' bodies and headers,
 * and the least valuable keys go first when the bound is reached. A key is dropped a while after its newest
 * variant can no longer be served ({@link CachedResponse#servable()} {@code + keepStale}), so stale responses stay
 * for a time to answer conditional requests. At most {@value #MAX_VARIANTS} variants per key, the oldest going
 * first. {@link #shortLived} also caps how long a key stays, for the local tier of a {@link TieredHttpCacheStore}.
 */
public final class InMemoryHttpCacheStore implements HttpCacheStore {
    static final int MAX_VARIANTS = 8;

    private final Cache<String, List<CachedResponse>> entries;
    private final long maxBytes;
    private final long maxResidencyNanos;

    private InMemoryHttpCacheStore(long maxBytes, Duration keepStale, long maxResidencyNanos, Ticker ticker) {
        this.maxBytes = maxBytes;
        this.maxResidencyNanos = maxResidencyNanos;
        long keepStaleNanos = keepStale.toNanos();
        this.entries = Caffeine.newBuilder()
                .executor(Runnable::run)
                .ticker(ticker)
                .maximumWeight(maxBytes)
                .weigher((String key, List<CachedResponse> variants) -> weigh(key, variants))
                .expireAfter(new Expiry<String, List<CachedResponse>>() {
                    @Override
                    public long expireAfterCreate(String key, List<CachedResponse> variants, long now) {
                        return expiryNanos(variants, keepStaleNanos);
                    }

                    @Override
                    public long expireAfterUpdate(String key, List<CachedResponse> variants, long now, long remaining) {
                        return expiryNanos(variants, keepStaleNanos);
                    }

                    @Override
                    public long expireAfterRead(String key, List<CachedResponse> variants, long now, long remaining) {
                        return remaining;
                    }
                })
                .build();
    }

    /** At most {@code maxBytes} of bodies and headers; stale responses kept one minute. */
    public static InMemoryHttpCacheStore of(long maxBytes) {
        return of(maxBytes, Duration.ofMinutes(1));
    }

    /** At most {@code maxBytes}; stale responses kept for {@code keepStale} to answer conditional requests. */
    public static InMemoryHttpCacheStore of(long maxBytes, Duration keepStale) {
        checkArgument(maxBytes > 0, "maxBytes: %s (expected: > 0)", maxBytes);
        checkArgument(!keepStale.isNegative(), "keepStale: %s (expected: >= 0)", keepStale);
        return new InMemoryHttpCacheStore(maxBytes, keepStale, Long.MAX_VALUE, Ticker.systemTicker());
    }

    /**
     * At most {@code maxBytes}, each key kept at most {@code maxResidency} after it was last stored whatever its
     * freshness: the local tier of a {@link TieredHttpCacheStore}, whose entries must not outlive a purge on
     * another instance by long.
     */
    public static InMemoryHttpCacheStore shortLived(long maxBytes, Duration maxResidency) {
        return shortLived(maxBytes, maxResidency, Ticker.systemTicker());
    }

    /** {@link #shortLived(long, Duration)} on the residency clock {@code ticker}, for tests. */
    static InMemoryHttpCacheStore shortLived(long maxBytes, Duration maxResidency, Ticker ticker) {
        checkArgument(maxBytes > 0, "maxBytes: %s (expected: > 0)", maxBytes);
        checkArgument(
                !maxResidency.isNegative() && !maxResidency.isZero(), "maxResidency: %s (expected: > 0)", maxResidency);
        return new InMemoryHttpCacheStore(maxBytes, Duration.ZERO, maxResidency.toNanos(), ticker);
    }

    private static int weigh(String key, List<CachedResponse> variants) {
        long weight = 2L * key.length();
        for (CachedResponse variant : variants) {
            weight += variant.weight();
        }
        return (int) Math.min(Integer.MAX_VALUE, weight);
    }

    /** How long a key stays: until it can no longer be served, plus {@code keepStale}, at most the residency. */
    private long expiryNanos(List<CachedResponse> variants, long keepStaleNanos) {
        return Math.max(0, Math.min(usefulNanos(variants) + keepStaleNanos, maxResidencyNanos));
    }

    private static long usefulNanos(List<CachedResponse> variants) {
        Duration longest = Duration.ZERO;
        for (CachedResponse variant : variants) {
            Duration useful = variant.servable();
            longest = useful.compareTo(longest) > 0 ? useful : longest;
        }
        return longest.toNanos();
    }

    @Override
    public List<CachedResponse> variants(String key) {
        List<CachedResponse> variants = entries.getIfPresent(key);
        return variants == null ? List.of() : variants;
    }

    @Override
    public void put(String key, CachedResponse response) {
        entries.asMap().compute(key, (k, existing) -> {
            List<CachedResponse> variants = new ArrayList<>(existing == null ? 1 : existing.size() + 1);
            variants.add(response);
            if (existing != null) {
                for (CachedResponse other : existing) {
                    boolean replaced = other.variant().equals(response.variant())
                            && other.varyNames().equals(response.varyNames());
                    if (!replaced && variants.size() < MAX_VARIANTS) {
                        variants.add(other);
                    }
                }
            }
            return List.copyOf(variants);
        });
    }

    @Override
    public boolean remove(String key) {
        return entries.asMap().remove(key) != null;
    }

    @Override
    public int removeByPrefix(String prefix) {
        AtomicInteger removed = new AtomicInteger();
        entries.asMap().keySet().removeIf(key -> key.startsWith(prefix) && removed.incrementAndGet() > 0);
        return removed.get();
    }

    @Override
    public String toString() {
        return "InMemoryHttpCacheStore[" + maxBytes + " bytes"
                + (maxResidencyNanos == Long.MAX_VALUE ? "" : ", at most " + Duration.ofNanos(maxResidencyNanos))
                + "]";
    }
}
