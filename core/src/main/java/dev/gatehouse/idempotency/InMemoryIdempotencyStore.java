package dev.gatehouse.idempotency;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.StoredResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Claims and records in a bounded Caffeine cache of this process: a claim lives for its lease, a record for its
 * TTL, and at most {@code maxKeys} keys are kept (the least recently used go first — a key dropped early is
 * executed again if retried, so size it for your retry traffic). For several instances use the Redis store.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private final Cache<String, Entry> entries;

    /** A claim (no record yet) or a record, kept until {@code deadline} (ticker time): reads never extend it. */
    private record Entry(
            String token, String fingerprint, boolean completed, Optional<StoredResponse> response, long deadline) {}

    private final Ticker ticker;

    private InMemoryIdempotencyStore(long maxKeys, Ticker ticker) {
        this.ticker = ticker;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maxKeys)
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

    /** At most 100,000 keys. */
    public static InMemoryIdempotencyStore ofDefaults() {
        return new InMemoryIdempotencyStore(100_000, Ticker.systemTicker());
    }

    public static InMemoryIdempotencyStore of(long maxKeys) {
        checkArgument(maxKeys > 0, "maxKeys: %s (expected: > 0)", maxKeys);
        return new InMemoryIdempotencyStore(maxKeys, Ticker.systemTicker());
    }

    /**
     * With a monotonic clock of the caller's own, in nanoseconds: a test's, to expire claims and records without
     * sleeping.
     */
    public static InMemoryIdempotencyStore withNanoClock(long maxKeys, LongSupplier nanoClock) {
        checkArgument(maxKeys > 0, "maxKeys: %s (expected: > 0)", maxKeys);
        requireNonNull(nanoClock, "nanoClock");
        return new InMemoryIdempotencyStore(maxKeys, nanoClock::getAsLong);
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
                        (k, existing) -> existing != null && existing.token().equals(token) && !existing.completed()
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
