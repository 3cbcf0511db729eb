package dev.gatehouse.ratelimit;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import io.github.bucket4j.Bandwidth;
import java.time.Duration;

/**
 * One window of a rate limit: at most {@code quota} units per {@code window}, refilled continuously (a
 * greedy token bucket: over any span T from a full bucket, at most {@code quota + ⌊T·quota/window⌋} units).
 * The name identifies it in the {@code RateLimit-Policy} and {@code RateLimit} header fields.
 */
public record Limit(String name, long quota, Duration window) {
    public Limit {
        requireNonNull(name, "name");
        checkArgument(name.matches("[A-Za-z0-9_.:-]{1,32}"), "name: %s (expected: 1..32 of A-Z a-z 0-9 _ . : -)", name);
        checkArgument(quota > 0, "quota: %s (expected: > 0)", quota);
        checkArgument(
                window.compareTo(Duration.ofSeconds(1)) >= 0 && window.toNanos() % 1_000_000_000L == 0,
                "window: %s (expected: whole seconds, at least 1)",
                window);
        checkArgument(
                quota <= window.toNanos(),
                "quota: %s per %s (expected: at most one unit per nanosecond, bucket4j's highest refill rate)",
                quota,
                window);
    }

    public static Limit perSecond(long quota) {
        return new Limit("second", quota, Duration.ofSeconds(1));
    }

    public static Limit perMinute(long quota) {
        return new Limit("minute", quota, Duration.ofMinutes(1));
    }

    public static Limit perHour(long quota) {
        return new Limit("hour", quota, Duration.ofHours(1));
    }

    public static Limit of(String name, long quota, Duration window) {
        return new Limit(name, quota, window);
    }

    long windowSeconds() {
        return window.toSeconds();
    }

    Bandwidth toBandwidth() {
        return Bandwidth.builder()
                .capacity(quota)
                .refillGreedy(quota, window)
                .id(name)
                .build();
    }
}
