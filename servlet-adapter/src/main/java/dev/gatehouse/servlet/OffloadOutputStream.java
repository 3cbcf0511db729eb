package dev.gatehouse.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.Arrays;

/**
 * The servlet's output stream: holds up to one buffer of body before the head is committed, as a
 * container does, so that headers set after the first bytes still count; then writes through the
 * response's transforms. As in a container, the bytes that complete a declared {@code Content-Length} commit the
 * head: the body is whole, so they go straight through, never copied into the buffer.
 */
final class OffloadOutputStream extends ServletOutputStream {
    private final OffloadResponse response;
    private final int bufferSize;
    private byte[] buffer = new byte[0];
    private int buffered;
    private boolean draining;

    OffloadOutputStream(OffloadResponse response, int bufferSize) {
        this.response = response;
        this.bufferSize = bufferSize;
    }

    @Override
    public void write(int b) throws IOException {
        if (passesThrough(1)) {
            drain();
            response.openBody().write(b);
            return;
        }
        ensureRoom(1);
        buffer[buffered++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (passesThrough(length)) {
            drain();
            response.openBody().write(bytes, offset, length);
            return;
        }
        ensureRoom(length);
        System.arraycopy(bytes, offset, buffer, buffered, length);
        buffered += length;
    }

    /** Whether {@code length} more bytes go straight through: committed already, over the buffer, or the last ones. */
    private boolean passesThrough(int length) {
        return draining
                || buffered + length > bufferSize
                || length > 0 && response.completesDeclaredLength(buffered + length);
    }

    private void ensureRoom(int length) {
        if (buffered + length > buffer.length) {
            // Most bodies are a few KiB: start at 4 KiB rather than copying up from nothing.
            buffer = Arrays.copyOf(buffer, Math.min(bufferSize, Math.max(buffered + length, 2 * buffer.length + 4096)));
        }
    }

    /** Commits the head and writes what was held; later writes go straight through. */
    void drain() throws IOException {
        if (draining) {
            return;
        }
        draining = true;
        if (buffered > 0) {
            response.openBody().write(buffer, 0, buffered);
        }
        buffer = null;
        buffered = 0;
    }

    /** Drops what was held and not yet committed (sendError, reset). */
    void discard() {
        if (!draining) {
            buffered = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        response.openBody().flush();
    }

    @Override
    public void close() throws IOException {
        response.finish();
    }

    @Override
    public boolean isReady() {
        try {
            return response.getResponse().getOutputStream().isReady();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        try {
            response.getResponse().getOutputStream().setWriteListener(listener);
        } catch (IOException e) {
            listener.onError(e);
        }
    }
}
