package dev.gatehouse.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Promise;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body on its way to the upstream, as the upstream request's content: whatever was buffered
 * first, then the rest as the client sends it, counted against the route's limit. Crossing the limit, or a body the
 * client framed badly, fails the content, which aborts the upstream request; {@code onClientFault} is told first.
 */
final class UpstreamBody implements org.eclipse.jetty.client.Request.Content {
    private final Content.Source client;
    private final long length;
    private final long limit;
    private final Runnable onClientFault;
    private Content.@Nullable Chunk head;
    private long count;
    private Content.@Nullable Chunk failure;
    /** Whether the upstream waits on the client for more of the body: a timeout then is the client's. */
    private volatile boolean waitingForClient;

    private UpstreamBody(
            Content.Source client, long length, long limit, byte @Nullable [] head, Runnable onClientFault) {
        this.client = client;
        this.length = length;
        this.limit = limit;
        this.onClientFault = onClientFault;
        this.head = head == null ? null : Content.Chunk.from(ByteBuffer.wrap(head), false);
        this.count = head == null ? 0 : head.length;
    }

    /** Whether {@code request} has no body to forward (an HTTP/2 request without a length may well have one). */
    static boolean absent(Request request) {
        long length = request.getLength();
        if (length == 0) {
            return true;
        }
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        return length < 0
                && (version == HttpVersion.HTTP_1_0 || version == HttpVersion.HTTP_1_1)
                && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /**
     * The body to send, to {@code then}: read whole first when it fits the route's request buffer (so that a
     * malformed or oversized body is refused before any upstream is called), otherwise the part read so far followed
     * by the rest, streamed. Null for a body that turned out empty (an HTTP/2 request's headers did not end the
     * stream). Fails {@code then} with a {@link BadMessageException}: 400 for a body the client framed badly, 413 for
     * one over the limit.
     *
     * <p>Nothing waits: the body is read as it arrives, on Jetty's demand callbacks, so a client that sends its body
     * a byte at a time holds no thread (a blocking read held one each, and a few hundred such clients held them all).
     */
    static void read(
            Request request,
            GatewayRoute route,
            Runnable onClientFault,
            Promise<org.eclipse.jetty.client.Request.@Nullable Content> then) {
        long declared = request.getLength();
        long buffer = route.requestBufferBytes();
        if (buffer == 0 || declared > buffer) {
            then.succeeded(new UpstreamBody(request, declared, route.maxBodyBytes(), null, onClientFault));
            return;
        }
        Once<org.eclipse.jetty.client.Request.@Nullable Content> once = new Once<>(then);
        // A request Jetty fails meanwhile calls no demand callback again; and an HTTP/2 stream Jetty resets itself
        // (a body shorter than its content-length, the connection then closed) may call neither: without these the
        // exchange, and the route's permit, would wait forever.
        request.addFailureListener(failure -> once.failed(asBadMessage(failure)));
        Buffering buffering = new Buffering(request, declared, buffer, route.maxBodyBytes(), onClientFault, once);
        buffering.run();
        if (!once.isDone()) {
            // Only a body still coming is watched: one read whole at once schedules nothing.
            watchForStall(request, once, buffering.read::size);
        }
    }

    /**
     * Fails {@code once} with a 408 when the body makes no progress for the connection's idle timeout: a body that
     * Jetty stopped delivering without a word. A client that sends, however slowly, is never cut by this.
     */
    static void watchForStall(Request request, Once<?> once, java.util.function.IntSupplier progress) {
        long idle =
                request.getConnectionMetaData().getConnection().getEndPoint().getIdleTimeout();
        long every = idle > 0 ? idle : 30_000;
        org.eclipse.jetty.util.thread.Scheduler scheduler =
                request.getComponents().getScheduler();
        new Runnable() {
            private int seen = -1;

            @Override
            public void run() {
                if (once.isDone()) {
                    return;
                }
                int now = progress.getAsInt();
                if (now == seen) {
                    once.failed(new BadMessageException(408, "the request body stalled for " + every + " ms"));
                    return;
                }
                seen = now;
                scheduler.schedule(this, every, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }.run();
    }

    /** A promise completed once: by the content, or by a failure of the request, whichever comes first. */
    static final class Once<T> implements Promise<T> {
        private final Promise<T> then;
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();

        Once(Promise<T> then) {
            this.then = then;
        }

        boolean isDone() {
            return done.get();
        }

        @Override
        public void succeeded(T result) {
            if (done.compareAndSet(false, true)) {
                then.succeeded(result);
            }
        }

        @Override
        public void failed(Throwable failure) {
            if (done.compareAndSet(false, true)) {
                then.failed(failure);
            }
        }
    }

    /** Reads a body into memory until it ends or fills the buffer, each time Jetty says there is more. */
    private static final class Buffering implements Runnable {
        private final Request request;
        private final long declared;
        private final long buffer;
        private final long limit;
        private final Runnable onClientFault;
        private final Promise<org.eclipse.jetty.client.Request.@Nullable Content> then;
        private final ByteArrayOutputStream read;

        Buffering(
                Request request,
                long declared,
                long buffer,
                long limit,
                Runnable onClientFault,
                Promise<org.eclipse.jetty.client.Request.@Nullable Content> then) {
            this.request = request;
            this.declared = declared;
            this.buffer = buffer;
            this.limit = limit;
            this.onClientFault = onClientFault;
            this.then = then;
            this.read = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        }

        @Override
        public void run() {
            try {
                readAvailable();
            } catch (RuntimeException e) {
                // On a demand callback nobody else would hear of it: the request would hang, holding its permit.
                then.failed(e);
            }
        }

        private void readAvailable() {
            while (read.size() < buffer) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    then.failed(asBadMessage(chunk.getFailure()));
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                byte[] copied = new byte[bytes.remaining()];
                bytes.get(copied);
                read.write(copied, 0, copied.length);
                boolean last = chunk.isLast();
                chunk.release();
                if (read.size() > limit) {
                    // Refused as soon as the limit is crossed; the caller reads on what is still coming (discard).
                    then.failed(new BadMessageException(413, "body over " + limit + " bytes"));
                    return;
                }
                if (last) {
                    ended();
                    return;
                }
            }
            then.succeeded(new UpstreamBody(request, declared, limit, read.toByteArray(), onClientFault));
        }

        private void ended() {
            if (read.size() == 0 && declared <= 0) {
                then.succeeded(null);
            } else if (declared >= 0 && read.size() != declared) {
                then.failed(
                        new BadMessageException(400, "body ended after " + read.size() + " of " + declared + " bytes"));
            } else {
                // The content carries no type of its own: the client's Content-Type field goes upstream as it
                // came, and a body without one gets none (the client's default would add one).
                then.succeeded(new org.eclipse.jetty.client.BytesRequestContent((String) null, read.toByteArray()));
            }
        }
    }

    /**
     * How much of a refused body's rest is read and dropped after the refusal went out, before the connection
     * closes. A connection closed with unread bytes in its receive buffer is reset (RFC 9112 §9.6), and a client
     * still sending could lose the 413 to the reset; nginx reads on for the same reason (its lingering close). Past
     * this, the connection closes, reset or not.
     */
    static final long DISCARD_MOST = 1024 * 1024;

    /** Reads and drops the rest of {@code source}, at most {@link #DISCARD_MOST} of it, as it arrives; then {@code then}. */
    static void discard(Content.Source source, Runnable then) {
        new Discarding(source, DISCARD_MOST, then).run();
    }

    /** Reads and drops the rest of a body, at most {@code most} bytes of it, as it arrives; then runs {@code then}. */
    private static final class Discarding implements Runnable {
        private final Content.Source source;
        private final long most;
        private final Runnable then;
        private long dropped;

        Discarding(Content.Source source, long most, Runnable then) {
            this.source = source;
            this.most = most;
            this.then = then;
        }

        @Override
        public void run() {
            while (dropped <= most) {
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    source.demand(this);
                    return;
                }
                dropped += chunk.remaining();
                boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
                chunk.release();
                if (end) {
                    break;
                }
            }
            then.run();
        }
    }

    private static BadMessageException asBadMessage(Throwable failure) {
        if (failure instanceof BadMessageException bad) {
            return bad;
        }
        Integer status = UpstreamCall.clientFault(failure);
        return new BadMessageException(status == null ? 400 : status, "request body: " + failure, failure);
    }

    /** Whether the upstream request waits for more of the client's body (the client pauses). */
    boolean waitingForClient() {
        return waitingForClient;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public @Nullable String getContentType() {
        return null;
    }

    @Override
    public Content.@Nullable Chunk read() {
        Content.Chunk failed = failure;
        if (failed != null) {
            return failed;
        }
        Content.Chunk first = head;
        if (first != null) {
            head = null;
            return first;
        }
        Content.Chunk chunk = client.read();
        if (chunk == null) {
            waitingForClient = true;
            return null;
        }
        waitingForClient = false;
        if (Content.Chunk.isFailure(chunk)) {
            onClientFault.run();
            return chunk;
        }
        count += chunk.remaining();
        if (count > limit) {
            chunk.release();
            onClientFault.run();
            failed = Content.Chunk.from(new BadMessageException(413, "body over " + limit + " bytes"), true);
            failure = failed;
            return failed;
        }
        return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
        if (head != null || failure != null) {
            demandCallback.run();
        } else {
            client.demand(demandCallback);
        }
    }

    @Override
    public void fail(Throwable cause) {
        client.fail(cause);
    }

    @Override
    public boolean rewind() {
        return false;
    }
}
