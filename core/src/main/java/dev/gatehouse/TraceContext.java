package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The W3C trace context of an exchange. The exchange is a span of its own: the service receives a {@code
 * traceparent} with the trace id and flags of the caller's and this exchange's span id, so that a trace shows
 * the gateway hop between the caller and the service.
 *
 * @param traceparent the header value sent to the service
 * @param parentId the 16 hex digits of the caller's span, or null when this exchange started the trace
 * @param started true when the client sent no valid {@code traceparent} and this exchange started the trace
 */
public record TraceContext(String traceparent, @Nullable String parentId, boolean started) {
    /** The exchange's trace context, set by the request-id policy and written by the access log. */
    public static final AttributeKey<TraceContext> KEY = AttributeKey.of("gatehouse.traceContext", TraceContext.class);

    public TraceContext {
        requireNonNull(traceparent, "traceparent");
        if (started != (parentId == null)) {
            throw new IllegalArgumentException("a started trace has no parent, a continued one has one");
        }
    }

    /** The 32 hex digits that name the trace. */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** The 16 hex digits of this exchange's span: the parent of whatever the service does. */
    public String spanId() {
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
