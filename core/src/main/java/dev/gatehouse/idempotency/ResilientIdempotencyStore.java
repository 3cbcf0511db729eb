package dev.gatehouse.idempotency;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.StoreHealth;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.StoreBreaker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An idempotency store that survives its store: the failure mode (and an optional breaker) in one place, around
 * any {@link IdempotencyStore} (Redis, typically).
 *
 * <ul>
 *   <li>When a claim fails, the request is refused (fail closed, the default: a duplicate execution is worse
 *       than an error) or runs without idempotency ({@link Builder#failOpen()}).
 *   <li>By default every claim tries the store, so it is used again as soon as it answers. With {@link
 *       Builder#breakerWindow} the store is left alone for that long after a failure (the first claim after
 *       the window probes it).
 *   <li>A failed {@code complete} or {@code release} is counted and rethrown; the claim's lease frees the key.
 *   <li>It is the store's {@link StoreHealth}: down or not, failures, requests run without it.
 * </ul>
 *
 * <p>{@code IdempotencyPolicy} wraps a plain store in one with the defaults; build one yourself to choose:
 * {@code IdempotencyPolicy.builder(ResilientIdempotencyStore.builder(redis).failOpen().build())}.
 */
public final class ResilientIdempotencyStore implements IdempotencyStore, StoreHealth {
    private final IdempotencyStore store;
    private final boolean failOpen;
    private final StoreBreaker breaker;
    private final AtomicLong admittedWithoutStore = new AtomicLong();

    /** What {@link #guardedClaim} found: the store's claim, or the failure mode's answer. */
    public sealed interface Answer {
        /** The store answered. */
        record Found(Claim claim) implements Answer {}

        /** The store is down ({@code cause}); the request runs without idempotency (fail open). */
        record AdmittedWithoutStore(String cause) implements Answer {}

        /** The store is down ({@code cause}); the request is refused, to retry after {@code retryAfterSeconds}. */
        record Refused(String cause, long retryAfterSeconds) implements Answer {}
    }

    private ResilientIdempotencyStore(Builder builder) {
        this.store = builder.store;
        this.failOpen = builder.failOpen;
        this.breaker = StoreBreaker.of(builder.breakerWindow, builder.nanoClock);
    }

    /** {@code store} with the defaults: fail closed, no breaker. */
    public static ResilientIdempotencyStore of(IdempotencyStore store) {
        return builder(store).build();
    }

    public static Builder builder(IdempotencyStore store) {
        return new Builder(store);
    }

    /** Claims {@code key} as {@link #claim} does, or gives the failure mode's answer. */
    public Answer guardedClaim(String key, String fingerprint, Duration lease) {
        try {
            return new Answer.Found(claim(key, fingerprint, lease));
        } catch (IdempotencyStoreException e) {
            if (failOpen) {
                admittedWithoutStore.incrementAndGet();
                return new Answer.AdmittedWithoutStore(e.getMessage());
            }
            return new Answer.Refused(
                    e.getMessage(), Math.max(1, breaker.window().toSeconds()));
        }
    }

    /** @throws IdempotencyStoreException when the store failed, or its breaker is open */
    @Override
    public Claim claim(String key, String fingerprint, Duration lease) {
        if (!breaker.permits()) {
            throw new IdempotencyStoreException("store breaker open", null);
        }
        try {
            Claim claim = store.claim(key, fingerprint, lease);
            breaker.succeeded();
            return claim;
        } catch (IdempotencyStoreException e) {
            breaker.failed();
            throw e;
        }
    }

    @Override
    public void complete(
            String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
        try {
            store.complete(key, token, fingerprint, response, ttl);
        } catch (RuntimeException e) {
            breaker.counted();
            throw e;
        }
    }

    @Override
    public void release(String key, String token) {
        try {
            store.release(key, token);
        } catch (RuntimeException e) {
            breaker.counted();
            throw e;
        }
    }

    /** Whether requests run without idempotency while the store is down. */
    public boolean failsOpen() {
        return failOpen;
    }

    @Override
    public String feature() {
        return "idempotency";
    }

    @Override
    public boolean down() {
        return breaker.down();
    }

    @Override
    public long failures() {
        return breaker.failures();
    }

    @Override
    public long admittedWithoutStore() {
        return admittedWithoutStore.get();
    }

    @Override
    public String toString() {
        return "ResilientIdempotencyStore[" + store + (failOpen ? ", fail open, " : ", fail closed, ") + breaker + "]";
    }

    public static final class Builder {
        private final IdempotencyStore store;
        private boolean failOpen;
        private Duration breakerWindow = Duration.ZERO;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder(IdempotencyStore store) {
            requireNonNull(store, "store");
            checkArgument(
                    !(store instanceof ResilientIdempotencyStore),
                    "store: %s (expected: a plain store; this one is already resilient)",
                    store);
            this.store = store;
        }

        /** Lets requests run without idempotency while the store is down (the default is 503). */
        public Builder failOpen() {
            this.failOpen = true;
            return this;
        }

        /** Leaves a failed store alone this long before probing it again; none by default (every claim tries). */
        public Builder breakerWindow(Duration window) {
            requireNonNull(window, "window");
            checkArgument(!window.isNegative(), "breakerWindow: %s (expected: >= 0)", window);
            this.breakerWindow = window;
            return this;
        }

        /** The breaker's clock, {@code System.nanoTime} unless a test injects its own. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        public ResilientIdempotencyStore build() {
            return new ResilientIdempotencyStore(this);
        }
    }
}
