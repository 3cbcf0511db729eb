package dev.gatehouse.ratelimit;

import dev.gatehouse.Headers;
import java.util.List;

/**
 * The response fields that tell a client where it stands, in one of two formats: the IETF draft's ({@code
 * RateLimit-Policy} and {@code RateLimit}) or the legacy {@code X-RateLimit-*}.
 */
enum RateLimitFields {
    /**
     * draft-ietf-httpapi-ratelimit-headers-10: one list item per window, {@code "minute";q=100;w=60} in {@code
     * RateLimit-Policy} and {@code "minute";r=42;t=17} in {@code RateLimit}.
     */
    DRAFT_10 {
        @Override
        void set(Headers target, List<Limit> limits, String policy, long[] remaining, long[] resetSeconds) {
            // About 30 characters a window: sized once, never grown.
            StringBuilder state = new StringBuilder(40 * limits.size());
            for (int i = 0; i < limits.size(); i++) {
                state.append(i == 0 ? "" : ", ")
                        .append('"')
                        .append(limits.get(i).name())
                        .append("\";r=")
                        .append(remaining[i])
                        .append(";t=")
                        .append(resetSeconds[i]);
            }
            target.set("RateLimit-Policy", policy);
            target.set("RateLimit", state.toString());
        }
    },
    /** {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} of the window with the least left. */
    LEGACY {
        @Override
        void set(Headers target, List<Limit> limits, String policy, long[] remaining, long[] resetSeconds) {
            int tightest = 0;
            for (int i = 1; i < limits.size(); i++) {
                if (remaining[i] < remaining[tightest]) {
                    tightest = i;
                }
            }
            target.set("X-RateLimit-Limit", Long.toString(limits.get(tightest).quota()));
            target.set("X-RateLimit-Remaining", Long.toString(remaining[tightest]));
            target.set("X-RateLimit-Reset", Long.toString(resetSeconds[tightest]));
        }
    };

    /**
     * Sets the fields for {@code limits} on {@code target}, with what is left of each window and the seconds until it
     * is full again (or, on a refusal, until the request would pass); the arrays are in the order of the limits.
     * {@code policy} is {@link #policy(List) policy(limits)}, which the same limits always have: computed once.
     */
    abstract void set(Headers target, List<Limit> limits, String policy, long[] remaining, long[] resetSeconds);

    /** The draft's {@code RateLimit-Policy} value for {@code limits}: {@code "minute";q=100;w=60, ...}. */
    static String policy(List<Limit> limits) {
        StringBuilder policy = new StringBuilder(40 * limits.size());
        for (int i = 0; i < limits.size(); i++) {
            Limit limit = limits.get(i);
            policy.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(limit.name())
                    .append("\";q=")
                    .append(limit.quota())
                    .append(";w=")
                    .append(limit.windowSeconds());
        }
        return policy.toString();
    }
}
