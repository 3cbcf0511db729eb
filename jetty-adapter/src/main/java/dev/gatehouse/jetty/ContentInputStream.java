package dev.gatehouse.jetty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Blocker;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request's content for a policy that buffers it, blocking until it arrives. Unlike Jetty's own stream,
 * closing it before the end does not fail the request: the rest stays unread, for Jetty to consume or to close the
 * connection on, and the response (a 413, say) can still be written.
 */
final class ContentInputStream extends InputStream {
    private final Content.Source source;
    private Content.@Nullable Chunk chunk;

    ContentInputStream(Content.Source source) {
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return 0;
        }
        while (true) {
            Content.Chunk current = chunk;
            if (current != null) {
                if (current.hasRemaining()) {
                    ByteBuffer buffer = current.getByteBuffer();
                    int n = Math.min(length, buffer.remaining());
                    buffer.get(bytes, offset, n);
                    return n;
                }
                if (current.isLast()) {
                    return -1;
                }
                current.release();
                chunk = null;
            }
            Content.Chunk next = source.read();
            if (next == null) {
                awaitContent();
            } else if (Content.Chunk.isFailure(next)) {
                throw new IOException("the request content failed: " + next.getFailure(), next.getFailure());
            } else {
                chunk = next;
            }
        }
    }

    private void awaitContent() throws IOException {
        try (Blocker.Runnable blocker = Blocker.runnable()) {
            source.demand(blocker);
            blocker.block();
        }
    }

    /** Releases the chunk in hand; whatever was not read stays unread. */
    @Override
    public void close() {
        Content.Chunk current = chunk;
        if (current != null) {
            current.release();
            chunk = current.isLast() ? Content.Chunk.EOF : null;
        }
    }
}
