package dev.gatehouse.examples.gateway;

import dev.gatehouse.Problem;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors Jetty answers itself — a header section over the listener's limit (431), a URI too long (414), a
 * request head it cannot parse (400) — as problem+json with a log line that says why, like every other
 * refusal of the gateway, instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorHandler.class);
    private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        LOG.info("refused a request Jetty could not take: {} {}", status, reason);
        fields.put(CONTENT_TYPE);
        return ByteBuffer.wrap(Problem.of(status, detail(status)).toJson());
    }

    @Override
    protected void generateResponse(
            Request request,
            Response response,
            int status,
            @Nullable String message,
            @Nullable Throwable cause,
            Callback callback) {
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // Jetty's parser refuses a request line whose version it does not speak (HTTP/0.9, HTTP/1.2, HTTP/3 over
            // TCP, a typo) with a 505. The request line is the client's input, malformed for this listener: a 400,
            // like any other request line it cannot take, never a 5xx.
            LOG.info("400 for a request line Jetty could not take: {}", message);
            response.setStatus(HttpStatus.BAD_REQUEST_400);
            write(response, HttpStatus.BAD_REQUEST_400, UNSUPPORTED_VERSION, callback);
            return;
        }
        if (status == HttpStatus.INTERNAL_SERVER_ERROR_500
                && request.getAttribute(UpstreamCall.FAILED_STATUS) instanceof Integer upstreamStatus) {
            // The upstream failed after its head had passed the policies, before any of it reached the client.
            LOG.info(
                    "{} for {} {}: the upstream failed before its response reached the client: {}",
                    upstreamStatus,
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    cause == null ? message : cause.getClass().getSimpleName());
            response.setStatus(upstreamStatus);
            write(response, upstreamStatus, detail(upstreamStatus), callback);
            return;
        }
        if (status >= 500) {
            LOG.warn(
                    "{} for {} {}: {}",
                    status,
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    message,
                    cause);
        } else {
            LOG.info(
                    "{} for {} {}: {}",
                    status,
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    message);
        }
        write(response, status, detail(status), callback);
    }

    private static void write(Response response, int status, String detail, Callback callback) {
        byte[] body = Problem.of(status, detail).toJson();
        response.getHeaders().put(CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static final String UNSUPPORTED_VERSION =
            "The request line's HTTP version is not supported (expected: HTTP/1.0, HTTP/1.1 or HTTP/2).";

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "The request is malformed.";
            case 404 -> "No route matches this request.";
            case 414 -> "The request target is too long.";
            case 431 -> "The request header fields are too large.";
            case 502 -> "The upstream failed before its response was complete.";
            case 504 -> "The upstream did not answer in time.";
            default -> "The request could not be processed.";
        };
    }
}
