package dev.gatehouse.logging;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.DecisionLog;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Route;
import dev.gatehouse.TraceContext;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes exactly one INFO event per exchange to the {@code dev.gatehouse.access} logger: method, path,
 * status, duration, client address (as a trusted-proxy resolver recorded it, else the peer), request id, route, W3C trace, span and parent span ids, and every policy's
 * decision with its reason; {@code parent_id}, {@code decisions} and {@code error} are left out when empty. The
 * fields are SLF4J key-value pairs, so a JSON layout gets them as members; the message repeats them for
 * plain layouts. Query strings and headers are never logged: they may carry credentials.
 *
 * <p>Put it right after the request-id policy so that it sees every refusal of the policies inside it.
 */
public final class AccessLogPolicy implements OffloadPolicy {
    private final Logger logger;

    private AccessLogPolicy(Logger logger) {
        this.logger = logger;
    }

    /** Logs to {@code dev.gatehouse.access}. */
    public static AccessLogPolicy ofDefaults() {
        return of(LoggerFactory.getLogger("dev.gatehouse.access"));
    }

    public static AccessLogPolicy of(Logger logger) {
        return new AccessLogPolicy(requireNonNull(logger, "logger"));
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        return Decision.proceed();
    }

    @Override
    public void onComplete(Exchange exchange, Completion completion) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        String requestId = exchange.attribute(Exchange.REQUEST_ID).orElse("-");
        TraceContext trace = exchange.attribute(TraceContext.KEY).orElse(null);
        String route = exchange.attribute(Route.KEY).map(Route::toString).orElse("-");
        String client = exchange.attribute(ClientAddress.KEY).orElse(exchange.peerAddress());
        List<DecisionLog.Entry> entries =
                exchange.attribute(DecisionLog.KEY).map(DecisionLog::entries).orElse(List.of());
        String decisions = decisions(entries);
        long nanos = completion.elapsed().toNanos();
        double millis = nanos / 1e6;
        String error = completion
                .failure()
                .map(failure -> failure.getClass().getName())
                .orElse("");
        LoggingEventBuilder event = logger.atInfo()
                .addKeyValue("method", exchange.method())
                .addKeyValue("path", exchange.path())
                .addKeyValue("status", completion.status())
                .addKeyValue("duration_ms", millis)
                .addKeyValue("client", client)
                .addKeyValue("request_id", requestId)
                .addKeyValue("route", route);
        // Fields with nothing to say are left out: fewer pairs to build, and no empty members in JSON.
        if (trace != null) {
            event.addKeyValue("trace_id", trace.traceId()).addKeyValue("span_id", trace.spanId());
            if (trace.parentId() != null) {
                event.addKeyValue("parent_id", trace.parentId());
            }
        }
        if (!decisions.isEmpty()) {
            event.addKeyValue("decisions", decisions);
        }
        if (!error.isEmpty()) {
            event.addKeyValue("error", error);
        }
        // The message carries the same facts for layouts that print no key-value pairs (Spring Boot's default),
        // written here in one pass: no pattern for the logging backend to parse, no arguments to box.
        event.log(message(exchange, completion.status(), nanos, requestId, client, route, trace, decisions, error));
    }

    /** {@code GET /path 200 1.234ms id=… client=… route=…[ trace=…] decisions[ error=…]}. */
    private static String message(
            Exchange exchange,
            int status,
            long nanos,
            String requestId,
            String client,
            String route,
            @Nullable TraceContext trace,
            String decisions,
            String error) {
        StringBuilder message = new StringBuilder(160 + decisions.length());
        message.append(exchange.method())
                .append(' ')
                .append(exchange.path())
                .append(' ')
                .append(status)
                .append(' ');
        appendMillis(message, nanos)
                .append("ms id=")
                .append(requestId)
                .append(" client=")
                .append(client)
                .append(" route=")
                .append(route);
        if (trace != null) {
            message.append(" trace=").append(trace.traceId());
        }
        message.append(' ').append(decisions);
        if (!error.isEmpty()) {
            message.append(" error=").append(error);
        }
        return message.toString();
    }

    /**
     * {@code nanos} in milliseconds, rounded to the microsecond, without trailing zeros: {@code 8.916}, {@code 1.2},
     * {@code 0.0}. Written digit by digit: formatting a {@code double} costs more than the rest of the line.
     */
    static StringBuilder appendMillis(StringBuilder text, long nanos) {
        long micros = (nanos + 500) / 1000;
        int fraction = (int) (micros % 1000);
        text.append(micros / 1000).append('.');
        if (fraction == 0) {
            return text.append('0');
        }
        if (fraction < 100) {
            text.append(fraction < 10 ? "00" : "0");
        }
        while (fraction % 10 == 0) {
            fraction /= 10;
        }
        return text.append(fraction);
    }

    private static String decisions(List<DecisionLog.Entry> entries) {
        if (entries.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (DecisionLog.Entry entry : entries) {
            text.append(text.length() == 0 ? "" : " ").append(entry);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "AccessLogPolicy[" + logger.getName() + "]";
    }
}
