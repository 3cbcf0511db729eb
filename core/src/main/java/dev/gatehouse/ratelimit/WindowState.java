package dev.gatehouse.ratelimit;

import dev.gatehouse.Headers;
import java.util.ArrayList;
import java.util.List;

/**
 * What one consumption left in each window of the limits that applied: the units shown as remaining (0 in a
 * window that refused the request), the seconds until the window is full again (on a refusal, until the request
 * would pass), and the names of the windows that refused it.
 */
record WindowState(
        List<Limit> limits,
        String policy,
        long[] remaining,
        long[] resetSeconds,
        List<String> violated,
        String violations) {

    /** @param policy {@link RateLimitFields#policy(List) RateLimitFields.policy(limits)}, computed once for them */
    static WindowState of(List<Limit> limits, String policy, Consumption consumption, long units) {
        long[] left = consumption.remaining();
        long waitSeconds = consumption.consumed() ? 0 : ceilSeconds(consumption.nanosToWait());
        List<String> violated = consumption.consumed() ? List.of() : new ArrayList<>();
        long[] shown = new long[limits.size()];
        long[] reset = new long[limits.size()];
        StringBuilder violations = consumption.consumed() ? null : new StringBuilder();
        for (int i = 0; i < limits.size(); i++) {
            Limit limit = limits.get(i);
            long remaining = i < left.length ? Math.max(0, Math.min(left[i], limit.quota())) : 0;
            boolean tooFew = !consumption.consumed() && remaining < units;
            shown[i] = tooFew ? 0 : remaining;
            // Greedy refill: the window is full again after (quota - left) / quota of it.
            reset[i] = tooFew
                    ? Math.min(Math.max(waitSeconds, 1), limit.windowSeconds())
                    : ceilDiv((limit.quota() - remaining) * limit.windowSeconds(), limit.quota());
            if (tooFew) {
                violated.add(limit.name());
                violations
                        .append(violations.length() == 0 ? "" : " ")
                        .append("window=")
                        .append(limit.name())
                        .append(' ')
                        .append(i < left.length ? left[i] : 0)
                        .append('/')
                        .append(limit.quota())
                        .append(" refill in ")
                        .append(reset[i])
                        .append('s');
            }
        }
        return new WindowState(limits, policy, shown, reset, violated, violations == null ? "" : violations.toString());
    }

    /** The fields describing this state in {@code format}, in new mutable headers. */
    Headers fields(RateLimitFields format) {
        Headers fields = Headers.create();
        setOn(fields, format);
        return fields;
    }

    /** Sets the fields describing this state in {@code format} on {@code target}. */
    void setOn(Headers target, RateLimitFields format) {
        format.set(target, limits, policy, remaining, resetSeconds);
    }

    static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
