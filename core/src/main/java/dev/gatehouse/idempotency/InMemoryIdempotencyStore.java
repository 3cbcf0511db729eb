package dev.gatehouse.idempotency;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Claims and records in a bounded Caffeine cache of this process: a claim lives for its lease, a record for its
 * TTL, and at most {@code maxKeys} keys and {@code maxBytes} of keys, fingerprints and recorded responses are kept
 * (100,000 and 64 MiB by default; the least recently used go first — a key dropped early is executed again if
 * retried, so size it for your retry traffic). The byte bound is what keeps clients that send a fresh key with
 * every request to a route with large answers from filling the heap. For several instances use the Redis store.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private final Cache<String, Entry> entries;

    /** A claim (no record yet) or a record, kept until {@code deadline} (ticker time): reads never extend it. */
    private record Entry(
            String token, String fingerprint, boolean completed, Optional<StoredResponse> response, long deadline) {}

    private final Ticker ticker;

    /** 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    private InMemoryIdempotencyStore(long maxKeys, long maxBytes, Ticker ticker) {
        this.ticker = ticker;
        // Caffeine bounds a cache by count or by weight, not both: every entry weighs at least maxBytes / maxKeys,
        // so that the weight bound also keeps at most maxKeys entries.
        long leastWeight = Math.max(1, maxBytes / maxKeys);
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, Entry entry) ->
                        (int) Math.min(Integer.MAX_VALUE, Math.max(leastWeight, bytes(key, entry))))
                .executor(Runnable::run)
                .ticker(ticker)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry entry, long now) {
                        return Math.max(0, entry.deadline() - now);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry entry, long now, long remaining) {
                        return Math.max(0, entry.deadline() - now);
                    }

                    @Override
                    public long expireAfterRead(String key, Entry entry, long now, long remaining) {
                        return remaining;
                    }
                })
                .build();
    }

    /** At most 100,000 keys and 64 MiB. */
    public static InMemoryIdempotencyStore ofDefaults() {
        return new InMemoryIdempotencyStore(100_000, DEFAULT_MAX_BYTES, Ticker.systemTicker());
    }

    /** At most {@code maxKeys} keys and 64 MiB. */
    public static InMemoryIdempotencyStore of(long maxKeys) {
        return of(maxKeys, DEFAULT_MAX_BYTES);
    }

    /** At most {@code maxKeys} keys and {@code maxBytes} of keys, fingerprints and recorded responses. */
    public static InMemoryIdempotencyStore of(long maxKeys, long maxBytes) {
        checkArgument(maxKeys > 0, "maxKeys: %s (expected: > 0)", maxKeys);
        checkArgument(maxBytes >= 1024, "maxBytes: %s (expected: >= 1024)", maxBytes);
        return new InMemoryIdempotencyStore(maxKeys, maxBytes, Ticker.systemTicker());
    }

    /**
     * With a monotonic clock of the caller's own, in nanoseconds: a test's, to expire claims and records without
     * sleeping.
     */
    public static InMemoryIdempotencyStore withNanoClock(long maxKeys, LongSupplier nanoClock) {
        checkArgument(maxKeys > 0, "maxKeys: %s (expected: > 0)", maxKeys);
        requireNonNull(nanoClock, "nanoClock");
        return new InMemoryIdempotencyStore(maxKeys, DEFAULT_MAX_BYTES, nanoClock::getAsLong);
    }

    /** About what an entry holds on the heap: its strings (two bytes a character) and its response. */
    private static long bytes(String key, Entry entry) {
        long bytes = 64
                + 2L
                        * (key.length()
                                + entry.token().length()
                                + entry.fingerprint().length());
        if (entry.response().isPresent()) {
            StoredResponse response = entry.response().get();
            bytes += response.bodyLength();
            Headers headers = response.headers();
            for (int i = 0; i < headers.size(); i++) {
                bytes += 32 + 2L * (headers.name(i).length() + headers.value(i).length());
            }
        }
        return bytes;
    }

    /** Tells claims apart; never shown to clients, so it needs uniqueness, not secrecy. */
    private static String newToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    @Override
    public Claim claim(String key, String fingerprint, Duration lease) {
        AtomicReference<Claim> found = new AtomicReference<>();
        entries.asMap().compute(key, (k, existing) -> {
            if (existing == null) {
                String token = newToken();
                found.set(new Claim.Claimed(token));
                return new Entry(token, fingerprint, false, Optional.empty(), ticker.read() + lease.toNanos());
            }
            found.set(
                    existing.completed()
                            ? new Claim.Completed(existing.fingerprint(), existing.response())
                            : new Claim.InFlight(existing.fingerprint()));
            return existing;
        });
        return found.get();
    }

    @Override
    public void complete(
            String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
        entries.asMap()
                .compute(
                        key,
                        // This claim's, or nobody's since its lease lapsed (the request ran: a retry must find
                        // its answer however long it took); another's claim is left alone.
                        (k, existing) -> existing == null || (existing.token().equals(token) && !existing.completed())
                                ? new Entry(token, fingerprint, true, response, ticker.read() + ttl.toNanos())
                                : existing);
    }

    @Override
    public void release(String key, String token) {
        entries.asMap()
                .computeIfPresent(
                        key,
                        (k, existing) -> existing.token().equals(token) && !existing.completed() ? null : existing);
    }
}
