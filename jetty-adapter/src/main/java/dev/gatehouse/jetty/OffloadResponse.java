package dev.gatehouse.jetty;

import dev.gatehouse.Headers;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The response the service writes through {@link OffloadHandler}. Its fields are Jetty's own; the first write (or
 * the end of the exchange, if nothing was written) commits it: the policies' response hooks run on a head over those
 * very fields (nothing is copied or written back), and the body goes on through their transforms ({@link
 * TransformedBody}) or, without transforms, straight to Jetty with the service's own callback. Once committed, status changes are ignored
 * and {@link #reset()} fails, as on a committed response.
 *
 * <p>HEAD: Jetty sends no body and, unless told one, states the length of what the service wrote. That is GET's
 * length only if the policies leave the body alone: when, with no {@code Content-Length} left, they changed the
 * body's encoding or dropped its length (compression) or installed transforms, nothing the service writes reaches
 * Jetty and the head is committed without a length.
 */
final class OffloadResponse extends Response.Wrapper {

    private final ChainRun run;
    private final boolean bodiless;
    private @Nullable ResponseHead head;
    private @Nullable TransformedBody transformed;
    private boolean lengthUnknown;
    private boolean lastWritten;

    OffloadResponse(Request request, Response clientResponse, ChainRun run) {
        super(request, clientResponse);
        this.run = run;
        this.bodiless = HttpMethod.HEAD.is(run.exchange().method());
    }

    ChainRun run() {
        return run;
    }

    /** The status sent, or to be sent: 200 unless the service set one. */
    int status() {
        ResponseHead committed = head;
        if (committed != null) {
            return committed.status();
        }
        int status = super.getStatus();
        return status == 0 ? 200 : status;
    }

    @Override
    public void setStatus(int code) {
        if (head == null) {
            super.setStatus(code);
        }
    }

    @Override
    public boolean isCommitted() {
        return head != null || super.isCommitted();
    }

    @Override
    public boolean hasLastWrite() {
        return lastWritten || super.hasLastWrite();
    }

    @Override
    public void reset() {
        if (head != null) {
            throw new IllegalStateException("reset: the response is already committed");
        }
        super.reset();
    }

    @Override
    public void write(boolean last, @Nullable ByteBuffer content, Callback callback) {
        if (head == null) {
            try {
                commit();
            } catch (IOException | RuntimeException e) {
                lastWritten |= last;
                callback.failed(e);
                return;
            }
        }
        lastWritten |= last;
        TransformedBody body = transformed;
        if (body != null) {
            body.write(last, content, callback);
        } else if (lengthUnknown) {
            writeHeadWithoutLength(last, callback);
        } else {
            super.write(last, content, callback);
        }
    }

    /**
     * HEAD whose GET length is unknown: Jetty would state the length of what the service wrote, or 0, so none of it
     * goes on, and the head is committed by an empty write that is not the last.
     */
    private void writeHeadWithoutLength(boolean last, Callback callback) {
        if (!getWrapped().isCommitted() && last) {
            super.write(false, null, Callback.from(() -> super.write(true, null, callback), callback::failed));
        } else {
            super.write(last, null, callback);
        }
    }

    /** Runs the response hooks on the head, whose fields are Jetty's own ({@link JettyFields}); once. */
    private void commit() throws IOException {
        int status = status();
        HttpFields.Mutable fields = super.getHeaders();
        boolean lengthDeclared = fields.contains(HttpHeader.CONTENT_LENGTH);
        ResponseHead committed = ResponseHead.of(status, Headers.over(JettyFields.of(fields)));
        head = committed;
        run.onResponse(committed);
        status = committed.status(); // the service's, unless a policy answered in its place (replaceWith)
        super.setStatus(status);
        if (bodiless) {
            Set<String> changed = committed.changedHeaderNames();
            lengthUnknown = !fields.contains(HttpHeader.CONTENT_LENGTH)
                    && (changed.contains("Content-Length")
                            || changed.contains("Content-Encoding")
                            || committed.hasTransforms());
        } else if (committed.hasTransforms() && mayHaveBody(status)) {
            transformed = new TransformedBody(
                    getWrapped(), getRequest().getComponents().getByteBufferPool(), committed, lengthDeclared);
        }
        if (status == 304 && !fields.contains(HttpHeader.CONTENT_LENGTH)) {
            // Jetty would declare the length of nothing, 0, which a 304 may only carry when the 200 is empty.
            lengthUnknown = true;
        }
    }

    private static boolean mayHaveBody(int status) {
        return status >= 200 && status != 204 && status != 304;
    }

    /** Writes a refusal, a replay or a problem in place of the service, through the same commit. */
    void writeAnswer(StoredResponse answer, Callback callback) {
        super.setStatus(answer.status());
        HttpFields.Mutable fields = super.getHeaders();
        answer.headers().forEach((name, value) -> {
            // The answer's Date (a cached response's own) replaces the one Jetty prepared, never joins it.
            if (name.equalsIgnoreCase("Date")) {
                fields.put(HttpHeader.DATE, value);
            } else {
                fields.add(name, value);
            }
        });
        if (mayHaveBody(answer.status())) {
            // A 304 declares no length: it may only carry the 200's (RFC 9110 §8.6), which it does not know.
            fields.put(HttpHeader.CONTENT_LENGTH, answer.bodyLength());
        }
        boolean empty = bodiless || answer.bodyLength() == 0;
        write(true, empty ? null : ByteBuffer.wrap(answer.body()), callback);
    }

    /** The service failed before committing: a 500 problem, through the policies, instead of its response. */
    void writeFailure(Callback callback) {
        super.reset();
        writeAnswer(Problem.of(500).toResponse(Headers.empty()), callback);
    }

    /** Ends the body if the service did not: commits a response that was never written, closes the transforms. */
    void finish(Callback callback) {
        if (lastWritten) {
            callback.succeeded();
        } else {
            write(true, null, callback);
        }
    }
}
