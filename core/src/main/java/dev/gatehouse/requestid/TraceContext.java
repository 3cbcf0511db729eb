package dev.gatehouse.requestid;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The W3C trace context of an exchange: the {@code traceparent} the service receives.
 *
 * @param traceparent the header value sent upstream
 * @param started true when the client sent no valid {@code traceparent} and this exchange started the trace
 */
public record TraceContext(String traceparent, boolean started) {
    public TraceContext {
        requireNonNull(traceparent, "traceparent");
    }

    /** The 32 hex digits that name the trace. */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** The 16 hex digits of the caller's span. */
    public String parentId() {
        return traceparent.substring(36, 52);
    }

    /** Parses a {@code traceparent} value per W3C Trace Context level 1; empty when it is not valid. */
    public static Optional<String> validTraceparent(String value) {
        if (value.length() < 55 || !isLowerHex(value, 0, 2) || value.startsWith("ff")) {
            return Optional.empty();
        }
        boolean version00 = value.startsWith("00");
        if (version00 ? value.length() != 55 : value.length() > 55 && value.charAt(55) != '-') {
            return Optional.empty();
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return Optional.empty();
        }
        if (!isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52) || !isLowerHex(value, 53, 55)) {
            return Optional.empty();
        }
        if (allZeros(value, 3, 35) || allZeros(value, 36, 52)) {
            return Optional.empty();
        }
        return Optional.of(version00 ? value : "00" + value.substring(2, 55));
    }

    private static boolean isLowerHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZeros(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
