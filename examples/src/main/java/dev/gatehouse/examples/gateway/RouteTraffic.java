package dev.gatehouse.examples.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Each route's requests over the last {@value #WINDOW_SECONDS} seconds, for the admin console: the rate, the count
 * per status class, and p50/p99 latency. Kept in ten-second slots that are reused as time moves on, so memory per
 * route is fixed (a few KiB); latency goes into buckets 20 % wide, so a percentile is the upper edge of its bucket
 * (at most 20 % high). Routes are known by name, so a reload that keeps a route keeps its figures.
 */
final class RouteTraffic {
    static final int WINDOW_SECONDS = 300;
    private static final int SLOT_SECONDS = 10;
    private static final int SLOTS = WINDOW_SECONDS / SLOT_SECONDS;
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    /** Bucket {@code i} holds latencies up to {@code 100 µs × 1.2^i}; the last holds everything slower (~60 s+). */
    private static final int BUCKETS = 72;

    private static final double GROWTH = Math.log(1.2);

    private final ConcurrentMap<String, Window> routes = new ConcurrentHashMap<>();
    private final InstantSource clock;

    RouteTraffic(InstantSource clock) {
        this.clock = clock;
    }

    /** One request through {@code route} ended with {@code status} after {@code elapsed}. */
    void record(String route, int status, Duration elapsed) {
        Window window = routes.get(route);
        if (window == null) {
            window = routes.computeIfAbsent(route, name -> new Window(clock.instant()));
        }
        int statusClass = Math.max(1, Math.min(5, status / 100)) - 1;
        window.record(slot(clock.instant()), statusClass, bucket(elapsed.toNanos() / 1_000));
    }

    /**
     * {@code {"windowSeconds": 300, "requests": 12, "perSecond": 0.04, "statuses": {"2xx": 10, "4xx": 2},
     * "p50Ms": 1.2, "p99Ms": 8.9}}; the percentiles are null without requests.
     */
    Map<String, Object> status(String route) {
        Instant now = clock.instant();
        Window window = routes.get(route);
        long[] sums = window == null ? new long[STATUS_CLASSES.length + BUCKETS] : window.sum(slot(now));
        long requests = 0;
        Map<String, Object> statuses = new LinkedHashMap<>();
        for (int i = 0; i < STATUS_CLASSES.length; i++) {
            requests += sums[i];
            if (sums[i] > 0) {
                statuses.put(STATUS_CLASSES[i], sums[i]);
            }
        }
        long seconds = window == null
                ? WINDOW_SECONDS
                : Math.max(
                        1,
                        Math.min(
                                WINDOW_SECONDS,
                                Duration.between(window.since, now).toSeconds() + 1));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("windowSeconds", WINDOW_SECONDS);
        status.put("requests", requests);
        status.put("perSecond", Math.round(requests * 100.0 / seconds) / 100.0);
        status.put("statuses", statuses);
        status.put("p50Ms", percentile(sums, requests, 0.50));
        status.put("p99Ms", percentile(sums, requests, 0.99));
        return status;
    }

    private static long slot(Instant at) {
        return at.getEpochSecond() / SLOT_SECONDS;
    }

    private static int bucket(long micros) {
        if (micros <= 100) {
            return 0;
        }
        return (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(micros / 100.0) / GROWTH));
    }

    /** The upper edge, in milliseconds, of the bucket where the {@code quantile} falls; null without requests. */
    private static Double percentile(long[] sums, long requests, double quantile) {
        if (requests == 0) {
            return null;
        }
        long rank = (long) Math.ceil(quantile * requests);
        long seen = 0;
        int bucket = 0;
        for (; bucket < BUCKETS - 1; bucket++) {
            seen += sums[STATUS_CLASSES.length + bucket];
            if (seen >= rank) {
                break;
            }
        }
        double millis = 0.1 * Math.pow(1.2, bucket);
        return Math.round(millis * 10) / 10.0;
    }

    /** One route's slots: {@code counts[slot % SLOTS]} holds the status classes, then the latency buckets. */
    private static final class Window {
        final Instant since;
        private final long[] slotIds = new long[SLOTS];
        private final long[][] counts = new long[SLOTS][STATUS_CLASSES.length + BUCKETS];

        Window(Instant since) {
            this.since = since;
            java.util.Arrays.fill(slotIds, -1);
        }

        synchronized void record(long slot, int statusClass, int bucket) {
            int index = (int) Math.floorMod(slot, (long) SLOTS);
            long[] slotCounts = counts[index];
            if (slotIds[index] != slot) {
                slotIds[index] = slot;
                java.util.Arrays.fill(slotCounts, 0);
            }
            slotCounts[statusClass]++;
            slotCounts[STATUS_CLASSES.length + bucket]++;
        }

        /** The counts of the slots within the window that ends with slot {@code current}. */
        synchronized long[] sum(long current) {
            long[] sums = new long[STATUS_CLASSES.length + BUCKETS];
            for (int index = 0; index < SLOTS; index++) {
                if (slotIds[index] > current - SLOTS && slotIds[index] <= current) {
                    for (int i = 0; i < sums.length; i++) {
                        sums[i] += counts[index][i];
                    }
                }
            }
            return sums;
        }
    }
}
