package dev.gatehouse.jetty;

import dev.gatehouse.ResponseHead;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritePendingException;
import java.util.Arrays;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.SerializedInvoker;
import org.jspecify.annotations.Nullable;

/**
 * A response body on its way to the client through the policies' transforms, as a content wrapper: each write of the
 * service is fed to the transforms in slices of at most {@value #SLICE} bytes; what they emit is gathered and written
 * on once it reaches a slice's worth, and at the end of the write. The transforms write into a buffer here, never to
 * the network, so they never wait for the client, and the buffer never holds much more than two slices' output. For
 * a body of unknown length (a stream: server-sent events, a chunked feed), a write that is not the last ends with a
 * flush of the transforms (a sync flush, for compression), so that every write reaches the client at once, as it
 * would without them. A body whose length the service declared is a document: its pieces go on as the transforms
 * emit a slice's worth, without flushes, as nginx's gzip does, so that a body read in a few pieces leaves in one
 * network write and one deflate block. The last write closes the transforms (trailers). A service write of up to a
 * slice thus leaves in one network write (with the response's end, when it is the last). The service's callback
 * completes when all of it has been written.
 *
 * <p>One instance serves all the writes of a response, one at a time, as Jetty requires; a write while another is
 * pending fails with {@link WritePendingException}. A transform is an {@link OutputStream}, free to block (a store
 * that records the body, say), so the continuation of a write that had to wait for the client declares itself
 * {@linkplain InvocationType#BLOCKING blocking}: Jetty runs it on a pooled thread, never on a selector.
 */
final class TransformedBody extends IteratingCallback {
    static final int SLICE = 32 * 1024;

    private final Content.Sink client;
    private final Output output = new Output();
    private final OutputStream body;
    private final boolean flushEachWrite;
    private final SerializedInvoker completions = new SerializedInvoker(TransformedBody.class);
    private final ByteBufferPool pool;
    private @Nullable ByteBuffer content;
    private boolean last;
    private boolean ended;
    private @Nullable Callback callback;
    private @Nullable Throwable failure;

    /** {@code lengthDeclared}: the service stated the body's length, so its pieces need not be flushed. */
    TransformedBody(Content.Sink client, ByteBufferPool pool, ResponseHead head, boolean lengthDeclared)
            throws IOException {
        this.client = client;
        this.pool = pool;
        this.body = head.wrapBody(output);
        this.flushEachWrite = !lengthDeclared;
    }

    /** Sends {@code content} through the transforms; completes {@code callback} once it has been written. */
    void write(boolean last, @Nullable ByteBuffer content, Callback callback) {
        Throwable failed = failure;
        if (failed != null) {
            callback.failed(failed);
            return;
        }
        if (!reset()) {
            callback.failed(new WritePendingException());
            return;
        }
        this.content = content;
        this.last = last;
        this.ended = false;
        this.callback = callback;
        iterate();
    }

    @Override
    protected Action process() throws IOException {
        if (ended) {
            return Action.SUCCEEDED;
        }
        // Only what was written goes: a transform may have emitted bytes before the first write (a GZIP header).
        if (output.written) {
            output.reset();
        }
        ByteBuffer input = content;
        while (input != null && input.hasRemaining()) {
            feed(input);
            // What the slices emit is gathered up to a slice's worth: each network write costs a system call
            // (and a chunk header), and a small response should leave in one write with its end.
            if (output.count >= SLICE) {
                client.write(false, output.asByteBuffer(), this);
                return Action.SCHEDULED;
            }
        }
        if (last) {
            body.close();
        } else if (flushEachWrite) {
            body.flush();
        }
        ended = true;
        if (!last && !flushEachWrite) {
            // Held for the next piece: nothing the client could use yet, and one network write saved.
            return Action.SUCCEEDED;
        }
        client.write(last, output.asByteBuffer(), this);
        return Action.SCHEDULED;
    }

    private void feed(ByteBuffer input) throws IOException {
        int length = Math.min(input.remaining(), SLICE);
        if (input.hasArray()) {
            body.write(input.array(), input.arrayOffset() + input.position(), length);
            input.position(input.position() + length);
            return;
        }
        // Direct content (a proxied body) is copied out through a pooled array, not one allocated per response:
        // the transforms have taken or encoded the bytes by the time write returns.
        RetainableByteBuffer piece = pool.acquire(length, false);
        try {
            ByteBuffer buffer = piece.getByteBuffer();
            input.get(buffer.array(), buffer.arrayOffset(), length);
            body.write(buffer.array(), buffer.arrayOffset(), length);
        } finally {
            piece.release();
        }
    }

    /**
     * Completes the service's callback. A service that writes again from its callback would nest here once per
     * write, and overflow the stack; serialized, the next completion waits until this one has returned.
     */
    @Override
    protected void onCompleteSuccess() {
        Callback done = release();
        if (done != null) {
            completions.run(done::succeeded);
        }
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        failure = cause;
        Callback done = release();
        if (done != null) {
            completions.run(() -> done.failed(cause));
        }
    }

    private @Nullable Callback release() {
        Callback done = callback;
        callback = null;
        content = null;
        return done;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.BLOCKING;
    }

    /** What the transforms emit for one slice; its bytes stay untouched until their write completes. */
    private static final class Output extends OutputStream {
        private byte[] bytes = new byte[0];
        private int count;
        private @Nullable ByteBuffer view;
        /** Whether the bytes held have been handed to the client (and may be dropped once that write is done). */
        private boolean written;

        @Override
        public void write(int b) {
            ensureCapacity(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensureCapacity(length);
            System.arraycopy(source, offset, bytes, count, length);
            count += length;
        }

        private void ensureCapacity(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(count + more, Math.max(1024, 2 * bytes.length)));
                view = null;
            }
        }

        ByteBuffer asByteBuffer() {
            written = true;
            ByteBuffer buffer = view;
            if (buffer == null) {
                buffer = ByteBuffer.wrap(bytes);
                view = buffer;
            }
            buffer.limit(count).position(0);
            return buffer;
        }

        void reset() {
            count = 0;
            written = false;
        }

        /** The transforms close their stream once they have ended; the response ends with the last write. */
        @Override
        public void close() {}
    }
}
