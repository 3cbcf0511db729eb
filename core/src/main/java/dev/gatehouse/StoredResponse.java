package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A complete response held in memory: a refusal written by a policy, or a response recorded earlier and
 * replayed (idempotency). The body is never encoded; outer policies encode it for the client at hand.
 */
public final class StoredResponse {
    private final int status;
    private final Headers headers;
    private final byte[] body;

    private StoredResponse(int status, Headers headers, byte[] body) {
        checkArgument(status >= 200 && status <= 599, "status: %s (expected: 200..599)", status);
        this.status = status;
        this.headers = headers.immutableCopy();
        this.body = body;
    }

    /** A response with a copy of {@code body}. Content-Length is set by the host, never stored. */
    public static StoredResponse of(int status, Headers headers, byte[] body) {
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        return new StoredResponse(status, headers, body.clone());
    }

    /** The same status and body with other headers: the body is shared, not copied. */
    public StoredResponse withHeaders(Headers headers) {
        requireNonNull(headers, "headers");
        return new StoredResponse(status, headers, body);
    }

    public int status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    public int bodyLength() {
        return body.length;
    }

    /** A copy of the body. */
    public byte[] body() {
        return body.clone();
    }

    public void writeBodyTo(OutputStream out) throws IOException {
        out.write(body);
    }

    @Override
    public String toString() {
        return "StoredResponse[" + status + ", " + headers + ", " + body.length + " bytes]";
    }
}
