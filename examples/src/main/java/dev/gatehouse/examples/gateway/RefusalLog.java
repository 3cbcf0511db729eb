package dev.gatehouse.examples.gateway;

import dev.gatehouse.DecisionLog;
import dev.gatehouse.Exchange;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent refusals, for the admin console: a bounded ring buffer, newest first. Each entry holds what the
 * decision log says (the refusing policy and its reason, which by the log's contract is never a token, key or
 * secret), the route, the method, the path without its query, and the status; never a header value. Reasons and
 * paths are cut to {@value #MAX_TEXT} characters and stripped of control characters.
 */
final class RefusalLog {
    static final int MAX_TEXT = 200;

    /** One refused request. */
    record Refusal(Instant at, String route, String method, String path, int status, String policy, String reason) {}

    private final Refusal[] ring;
    private final InstantSource clock;
    private int next;
    private long total;

    RefusalLog(int capacity, InstantSource clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.ring = new Refusal[capacity];
        this.clock = clock;
    }

    /** Records {@code exchange} if a policy refused it: the decision log names the policy. */
    void record(String route, Exchange exchange, int status) {
        DecisionLog log = exchange.attribute(DecisionLog.KEY).orElse(null);
        if (log == null) {
            return;
        }
        for (DecisionLog.Entry entry : log.entries()) {
            if (entry.outcome().equals("reject")) {
                add(new Refusal(
                        clock.instant(),
                        route,
                        exchange.method(),
                        clean(exchange.path()),
                        status,
                        entry.policy(),
                        clean(entry.reason())));
                return;
            }
        }
    }

    private synchronized void add(Refusal refusal) {
        ring[next] = refusal;
        next = (next + 1) % ring.length;
        total++;
    }

    /** The refusals still held, newest first. */
    synchronized List<Refusal> recent() {
        List<Refusal> recent = new ArrayList<>(ring.length);
        for (int i = 1; i <= ring.length; i++) {
            Refusal refusal = ring[Math.floorMod(next - i, ring.length)];
            if (refusal == null) {
                break;
            }
            recent.add(refusal);
        }
        return recent;
    }

    /** Refusals recorded since the start, including those the ring no longer holds. */
    synchronized long total() {
        return total;
    }

    private static String clean(String text) {
        StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_TEXT));
        for (int i = 0; i < text.length() && clean.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            clean.append(Character.isISOControl(c) ? '?' : c);
        }
        return clean.length() < text.length() ? clean.append('…').toString() : clean.toString();
    }
}
