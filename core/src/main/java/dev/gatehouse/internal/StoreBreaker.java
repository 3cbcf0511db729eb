package dev.gatehouse.internal;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The breaker in front of a store: after a failure the store is left alone for {@code window}, so that a dead
 * store costs one timeout per window rather than one per request; the first call after the window is the
 * probe (one caller gets it, the others keep the breaker's answer), and a success closes the breaker. With a
 * zero window it never opens: every call goes to the store, and the breaker only keeps the store's health.
 * Time is the injected nano clock. Thread-safe and lock-free.
 */
public final class StoreBreaker {
    private static final long CLOSED = Long.MIN_VALUE;

    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong openUntil = new AtomicLong(CLOSED);
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean down;

    private StoreBreaker(long windowNanos, LongSupplier nanoClock) {
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    /** A breaker that opens for {@code window} after each failure; {@link Duration#ZERO} for one that never opens. */
    public static StoreBreaker of(Duration window, LongSupplier nanoClock) {
        requireNonNull(window, "window");
        checkArgument(!window.isNegative(), "window: %s (expected: >= 0)", window);
        return new StoreBreaker(window.toNanos(), requireNonNull(nanoClock, "nanoClock"));
    }

    /** Whether the caller may call the store now: false while the breaker is open and another caller probes. */
    public boolean permits() {
        long until = openUntil.get();
        if (until == CLOSED) {
            return true;
        }
        long now = nanoClock.getAsLong();
        return now - until >= 0 && openUntil.compareAndSet(until, now + windowNanos);
    }

    /** Records a call that succeeded; true when it ended an outage (the store is back). */
    public boolean succeeded() {
        if (openUntil.get() == CLOSED && !down) {
            return false;
        }
        openUntil.set(CLOSED);
        down = false;
        return true;
    }

    /** Records a call that failed, opening the breaker for the window; true when it began an outage. */
    public boolean failed() {
        failures.incrementAndGet();
        if (windowNanos > 0) {
            openUntil.set(nanoClock.getAsLong() + windowNanos);
        }
        if (down) {
            return false;
        }
        down = true;
        return true;
    }

    /** Counts a failure that says nothing new about availability (a write whose loss a lease repairs). */
    public void counted() {
        failures.incrementAndGet();
    }

    public boolean down() {
        return down;
    }

    public long failures() {
        return failures.get();
    }

    /** How long the store is left alone after a failure. */
    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    @Override
    public String toString() {
        return "StoreBreaker[" + window() + (down ? ", down" : "") + "]";
    }
}
