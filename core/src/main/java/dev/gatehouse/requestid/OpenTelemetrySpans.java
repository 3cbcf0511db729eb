package dev.gatehouse.requestid;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Optional;

/**
 * The span the OpenTelemetry API reports as current — the server span of the OpenTelemetry Java agent, or of an
 * SDK the application set up — when the API is on the class path; nothing otherwise.
 */
final class OpenTelemetrySpans {
    private static final boolean PRESENT = present();

    private OpenTelemetrySpans() {}

    private static boolean present() {
        try {
            Class.forName("io.opentelemetry.api.trace.Span", false, OpenTelemetrySpans.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The current span as a version-00 {@code traceparent}; empty without the API or a valid current span. */
    static Optional<String> currentTraceparent() {
        return PRESENT ? Current.traceparent() : Optional.empty();
    }

    /** Loaded only when the API is present. */
    private static final class Current {
        static Optional<String> traceparent() {
            SpanContext context = Span.current().getSpanContext();
            if (!context.isValid()) {
                return Optional.empty();
            }
            return Optional.of("00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                    + context.getTraceFlags().asHex());
        }
    }
}
