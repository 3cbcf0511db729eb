package dev.gatehouse.servlet;

import dev.gatehouse.Headers;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.CloseShield;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.charset.Charset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The response a servlet writes through {@link OffloadFilter}. Like a container, it buffers the body up to
 * the buffer size before it commits; committing runs the policies' response hooks on the head and opens
 * the body through their transforms. Once committed, header changes are ignored, as on a committed
 * response.
 */
final class OffloadResponse extends HttpServletResponseWrapper implements AsyncListener {
    private final HttpServletResponse clientResponse;
    private final ChainRun run;
    private final boolean bodiless;
    private ResponseHead head;
    private long declaredLength = -1;
    private OutputStream body;
    private boolean transformed;
    private OffloadOutputStream stream;
    private PrintWriter writer;
    private Throwable failure;
    private boolean finished;
    private boolean awaitingErrorPage;

    OffloadResponse(HttpServletResponse clientResponse, ChainRun run) {
        super(clientResponse);
        this.clientResponse = clientResponse;
        this.run = run;
        this.bodiless = "HEAD".equals(run.exchange().method());
    }

    ChainRun run() {
        return run;
    }

    /** Writes a refusal or replay as if a servlet had, so that it takes the same way out. */
    void writeAnswer(StoredResponse answer) throws IOException {
        clientResponse.setStatus(answer.status());
        answer.headers().forEach(clientResponse::addHeader);
        clientResponse.setContentLength(answer.bodyLength());
        if (!bodiless) {
            answer.writeBodyTo(getOutputStream());
        }
    }

    /** Runs the response hooks and writes the header changes back; once. */
    private void commitHead(boolean fixedBody, int status) {
        if (head != null) {
            return;
        }
        Headers current = Headers.create();
        for (String name : clientResponse.getHeaderNames()) {
            for (String value : clientResponse.getHeaders(name)) {
                current.add(name, value);
            }
        }
        // Servlet 6.0 containers (Tomcat 10.1) keep the type and the length apart from the header fields.
        String type = clientResponse.getContentType();
        if (type != null && !current.contains("Content-Type")) {
            current.add("Content-Type", type);
        }
        if (declaredLength >= 0 && !current.contains("Content-Length")) {
            current.add("Content-Length", Long.toString(declaredLength));
        }
        head = fixedBody ? ResponseHead.withFixedBody(status, current) : ResponseHead.of(status, current);
        run.onResponse(head);
        if (head.status() != status) {
            clientResponse.setStatus(head.status()); // a policy answered in the servlet's place (replaceWith)
        }
        Headers edited = head.headers();
        for (String name : head.changedHeaderNames()) {
            if (name.equalsIgnoreCase("Content-Length") && edited.count(name) <= 1) {
                // Containers keep the length apart from the header (Undertow ends the body after that many
                // bytes): set or unset it, not just the field.
                clientResponse.setContentLengthLong(
                        edited.first(name).map(OffloadResponse::parseLength).orElse(-1L));
                continue;
            }
            clientResponse.setHeader(name, null);
            for (int i = 0; i < edited.size(); i++) {
                if (edited.name(i).equalsIgnoreCase(name)) {
                    clientResponse.addHeader(edited.name(i), edited.value(i)); // in the policy's spelling
                }
            }
        }
    }

    /**
     * Whether a body of {@code bytes} is as long as the {@code Content-Length} the servlet declared: a container
     * commits the response then, and so does the stream. Not for HEAD, whose head waits for the end.
     */
    boolean completesDeclaredLength(long bytes) {
        return declaredLength >= 0 && bytes >= declaredLength && !bodiless;
    }

    /** The stream the body goes to once the head is committed: through the transforms, if any. */
    OutputStream openBody() throws IOException {
        if (body == null) {
            commitHead(false, getStatus());
            ServletOutputStream container = clientResponse.getOutputStream();
            transformed = head.bodyTransformable() && head.hasTransforms();
            body = transformed ? head.wrapBody(new CloseShield(container)) : container;
        }
        return body;
    }

    /** Ends the response body: flushes what is buffered, commits, and closes the transforms (trailers). */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (writer != null) {
            writer.flush();
        }
        if (stream != null) {
            stream.drain();
        }
        commitHead(false, getStatus());
        int status = getStatus();
        boolean mayHaveBody = !bodiless && status >= 200 && status != 204 && status != 304;
        if (body == null && head.bodyTransformable() && head.hasTransforms() && mayHaveBody) {
            openBody();
        }
        if (transformed) {
            body.close();
        }
        if (bodiless && !clientResponse.isCommitted() && representationChanged()) {
            // A GET would have its body encoded, to a length nobody knows yet (compression): commit the head now
            // without one, or the container would state the length of what the servlet wrote, or 0.
            clientResponse.flushBuffer();
        }
    }

    private boolean representationChanged() {
        Set<String> changed = head.changedHeaderNames();
        return (changed.contains("Content-Length") || changed.contains("Content-Encoding"))
                && !head.headers().contains("Content-Length");
    }

    /** Ends the exchange normally: finishes the body and completes the run. */
    void complete() throws IOException {
        try {
            finish();
        } finally {
            run.onComplete(getStatus(), Optional.ofNullable(failure));
        }
    }

    /** The servlet threw before committing: answer 500 with a problem body, through the policies. */
    void answerFailure(Throwable thrown) throws IOException {
        failure = thrown;
        reset();
        writeAnswer(Problem.of(500).toResponse(Headers.empty()));
        complete();
    }

    /**
     * The servlet threw before committing, and the container's error page answers in its place: what was buffered
     * is dropped, and the run goes on in the {@code ERROR} dispatch ({@link #takeErrorPage()}).
     */
    void awaitErrorPage(Throwable thrown) {
        failure = thrown;
        discardBufferedBody();
        stream = null;
        writer = null;
        declaredLength = -1;
        clientResponse.reset();
        awaitingErrorPage = true;
    }

    /** No error page answered for the failure (the container has none): the run completes with it now. */
    void completeUnanswered() {
        if (takeErrorPage()) {
            run.onComplete(500, Optional.of(failure));
        }
    }

    /** Whether this response waits for the container's error page; true once. */
    boolean takeErrorPage() {
        boolean awaiting = awaitingErrorPage;
        awaitingErrorPage = false;
        return awaiting;
    }

    /** The servlet threw after committing: the head still goes through the policies, and the run completes with the failure. */
    void fail(Throwable thrown) {
        failure = thrown;
        finished = true;
        boolean committed = isCommitted();
        commitHead(true, committed ? getStatus() : 500);
        run.onComplete(committed ? getStatus() : 500, Optional.of(thrown));
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has been called on this response");
        }
        if (stream == null) {
            stream = new OffloadOutputStream(this, Math.max(getBufferSize(), 1024));
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            if (stream != null) {
                throw new IllegalStateException("getOutputStream() has been called on this response");
            }
            String charset = getCharacterEncoding();
            clientResponse.setCharacterEncoding(charset);
            stream = new OffloadOutputStream(this, Math.max(getBufferSize(), 1024));
            writer = new PrintWriter(new OutputStreamWriter(stream, charset), false);
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (stream != null) {
            stream.flush();
        } else {
            openBody().flush();
        }
        clientResponse.flushBuffer();
    }

    @Override
    public boolean isCommitted() {
        return head != null || clientResponse.isCommitted();
    }

    @Override
    public void sendError(int status, String message) throws IOException {
        if (status == -1) {
            abort(message);
            return;
        }
        commitError(status);
        clientResponse.sendError(status, message);
    }

    @Override
    public void sendError(int status) throws IOException {
        if (status == -1) {
            abort(null);
            return;
        }
        commitError(status);
        // Not sendError(status, null): Undertow writes its error page only for a message, and supplies the reason
        // phrase as the message here.
        clientResponse.sendError(status);
    }

    /**
     * Jetty's way to abort a response whose body cannot be completed (a proxy's upstream died mid-body): the client
     * must see a truncated response, and the policies an exchange that failed.
     */
    private void abort(String message) throws IOException {
        fail(new IOException("response aborted" + (message == null ? "" : ": " + message)));
        clientResponse.sendError(-1, message);
    }

    private void commitError(int status) {
        checkNotCommitted("sendError");
        discardBufferedBody();
        clientResponse.setStatus(status);
        commitHead(true, status);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        checkNotCommitted("sendRedirect");
        discardBufferedBody();
        commitHead(true, SC_FOUND);
        clientResponse.sendRedirect(location);
    }

    // Servlet 6.1 (Tomcat 11) adds these to HttpServletResponseWrapper, delegating straight to the container's
    // response. Compiled against 6.0 they are plain methods here, and overrides there.

    /** Servlet 6.1: a redirect with another status goes through the policies as {@link #sendRedirect(String)} does. */
    public void sendRedirect(String location, int status) throws IOException {
        sendRedirect(location, status, true);
    }

    /** Servlet 6.1: a redirect that may keep its body goes through the policies as {@link #sendRedirect(String)} does. */
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        sendRedirect(location, SC_FOUND, clearBuffer);
    }

    /** Servlet 6.1: the form the other {@code sendRedirect}s of 6.1 call. */
    public void sendRedirect(String location, int status, boolean clearBuffer) throws IOException {
        checkNotCommitted("sendRedirect");
        if (clearBuffer) {
            discardBufferedBody();
        }
        commitHead(true, status);
        if (!clearBuffer) {
            if (writer != null) {
                writer.flush();
            }
            if (stream != null) {
                stream.drain();
            }
        }
        Servlet61.sendRedirect(clientResponse, location, status, clearBuffer);
    }

    /** Servlet 6.1: ignored once committed or once the writer is open, as {@link #setCharacterEncoding(String)}. */
    public void setCharacterEncoding(Charset charset) {
        setCharacterEncoding(charset.name());
    }

    @Override
    public void reset() {
        checkNotCommitted("reset");
        discardBufferedBody();
        stream = null;
        writer = null;
        declaredLength = -1;
        clientResponse.reset();
    }

    @Override
    public void resetBuffer() {
        checkNotCommitted("resetBuffer");
        discardBufferedBody();
        clientResponse.resetBuffer();
    }

    private void discardBufferedBody() {
        if (stream != null) {
            stream.discard();
        }
    }

    private void checkNotCommitted(String method) {
        if (isCommitted()) {
            throw new IllegalStateException(method + ": the response is already committed");
        }
    }

    // Once the head has gone through the policies, it is committed: later changes are ignored.

    @Override
    public void setStatus(int status) {
        if (head == null) {
            clientResponse.setStatus(status);
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (head == null) {
            declare(name, value);
            clientResponse.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (head == null) {
            declare(name, value);
            clientResponse.addHeader(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (head == null) {
            declare(name, Integer.toString(value));
            clientResponse.setIntHeader(name, value);
        }
    }

    @Override
    public void addIntHeader(String name, int value) {
        if (head == null) {
            declare(name, Integer.toString(value));
            clientResponse.addIntHeader(name, value);
        }
    }

    /** Remembers a length set as a header field: some containers never list it among the fields. */
    private void declare(String name, @Nullable String value) {
        if (name.equalsIgnoreCase("Content-Length")) {
            declaredLength = parseLength(value);
        }
    }

    private static long parseLength(@Nullable String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void setDateHeader(String name, long date) {
        if (head == null) {
            clientResponse.setDateHeader(name, date);
        }
    }

    @Override
    public void addDateHeader(String name, long date) {
        if (head == null) {
            clientResponse.addDateHeader(name, date);
        }
    }

    @Override
    public void addCookie(Cookie cookie) {
        if (head == null) {
            clientResponse.addCookie(cookie);
        }
    }

    @Override
    public void setContentType(String type) {
        if (head == null && writer == null) {
            clientResponse.setContentType(type);
        }
    }

    @Override
    public void setCharacterEncoding(String charset) {
        if (head == null && writer == null) {
            clientResponse.setCharacterEncoding(charset);
        }
    }

    @Override
    public void setContentLength(int length) {
        if (head == null) {
            declaredLength = length;
            clientResponse.setContentLength(length);
        }
    }

    @Override
    public void setContentLengthLong(long length) {
        if (head == null) {
            declaredLength = length;
            clientResponse.setContentLengthLong(length);
        }
    }

    // Async servlets: the container tells us when the exchange has ended.

    @Override
    public void onComplete(AsyncEvent event) throws IOException {
        complete();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        failure = new TimeoutException("the async request timed out");
    }

    @Override
    public void onError(AsyncEvent event) {
        failure = event.getThrowable();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
    }

    /** Calls what only Servlet 6.1 containers have; looked up on first use, which only they make. */
    private static final class Servlet61 {
        private static final MethodHandle SEND_REDIRECT;

        static {
            try {
                SEND_REDIRECT = MethodHandles.publicLookup()
                        .findVirtual(
                                HttpServletResponse.class,
                                "sendRedirect",
                                MethodType.methodType(void.class, String.class, int.class, boolean.class));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static void sendRedirect(HttpServletResponse response, String location, int status, boolean clearBuffer)
                throws IOException {
            try {
                SEND_REDIRECT.invokeExact(response, location, status, clearBuffer);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new UndeclaredThrowableException(e);
            }
        }
    }
}
