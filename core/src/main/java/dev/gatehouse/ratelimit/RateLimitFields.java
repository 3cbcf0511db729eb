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
        Headers of(List<Limit> limits, long[] remaining, long[] resetSeconds) {
            // About 30 characters a window: sized once, never grown.
            StringBuilder policy = new StringBuilder(40 * limits.size());
            StringBuilder state = new StringBuilder(40 * limits.size());
            for (int i = 0; i < limits.size(); i++) {
                Limit limit = limits.get(i);
                String separator = i == 0 ? "" : ", ";
                policy.append(separator)
                        .append('"')
                        .append(limit.name())
                        .append("\";q=")
                        .append(limit.quota())
                        .append(";w=")
                        .append(limit.windowSeconds());
                state.append(separator)
                        .append('"')
                        .append(limit.name())
                        .append("\";r=")
                        .append(remaining[i])
                        .append(";t=")
                        .append(resetSeconds[i]);
            }
            return Headers.of("RateLimit-Policy", policy.toString(), "RateLimit", state.toString());
        }
    },
    /** {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} of the window with the least left. */
    LEGACY {
        @Override
        Headers of(List<Limit> limits, long[] remaining, long[] resetSeconds) {
            int tightest = 0;
            for (int i = 1; i < limits.size(); i++) {
                if (remaining[i] < remaining[tightest]) {
                    tightest = i;
                }
            }
            return Headers.of(
                    "X-RateLimit-Limit", Long.toString(limits.get(tightest).quota()),
                    "X-RateLimit-Remaining", Long.toString(remaining[tightest]),
                    "X-RateLimit-Reset", Long.toString(resetSeconds[tightest]));
        }
    };

    /**
     * The fields for {@code limits}, with what is left of each window and the seconds until it is full again (or,
     * on a refusal, until the request would pass); the arrays are in the order of the limits.
     */
    abstract Headers of(List<Limit> limits, long[] remaining, long[] resetSeconds);
}
