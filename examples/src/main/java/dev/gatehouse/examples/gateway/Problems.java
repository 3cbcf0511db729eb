package dev.gatehouse.examples.gateway;

import dev.gatehouse.DecisionLog;
import dev.gatehouse.Problem;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.jetty.OffloadHandler;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/** The gateway's own answers (problem+json) and its notes in the exchange's decision log. */
final class Problems {
    private Problems() {}

    /** Writes {@code status} as problem+json, with {@code Retry-After} when given. */
    static void write(
            Response response, Callback callback, int status, String detail, @Nullable Long retryAfterSeconds) {
        byte[] body = Problem.of(status, detail).toJson();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (retryAfterSeconds != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, retryAfterSeconds);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** HTTP/1 only: the connection closes after the response (the body stays unread); HTTP/2 streams end alone. */
    static void closeAfter(Request request, Response response) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version == HttpVersion.HTTP_1_0 || version == HttpVersion.HTTP_1_1) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /**
     * Tells the route's idempotency policy, if any, that the answer about to be written is the gateway's own, not
     * the upstream's: it is never recorded for replay ({@link IdempotencyPolicy#UNDELIVERED}).
     */
    static void undelivered(Request request, IdempotencyPolicy.Undelivered why) {
        OffloadHandler.exchange(request)
                .ifPresent(exchange -> exchange.setAttribute(IdempotencyPolicy.UNDELIVERED, why));
    }

    /** A note in the exchange's decision log, which the access log writes: {@code upstream:fail(...)}. */
    static void note(Request request, String step, String outcome, String reason) {
        OffloadHandler.exchange(request)
                .ifPresent(exchange -> DecisionLog.of(exchange).add(step, outcome, reason));
    }
}
