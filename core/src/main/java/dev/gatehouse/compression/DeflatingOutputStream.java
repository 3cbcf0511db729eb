package dev.gatehouse.compression;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.jspecify.annotations.Nullable;

/**
 * Encodes a body as {@code gzip} (RFC 1952) or {@code deflate} (the zlib format, RFC 1950) with a pooled
 * deflater. {@code flush()} emits everything written so far (a sync flush) so that streamed responses keep
 * flowing; {@code close()} writes the trailer, returns the deflater and closes the downstream.
 *
 * <p>With {@code whole} encoders, a body is held until it ends, a flush asks for its bytes, or it outgrows {@link
 * WholeBodyDeflater#MAX_INPUT}: one that ends first is encoded by a {@link WholeBodyDeflater}, never reaching
 * zlib; the others are fed to a pooled zlib deflater from their first byte, as if never held.
 */
final class DeflatingOutputStream extends OutputStream {
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** zlib's header for a 32 KiB window and its fastest levels, as its deflater writes it at level 1. */
    private static final byte[] ZLIB_HEADER = {0x78, 0x01};

    private final OutputStream downstream;
    private final DeflaterPool pool;
    private final boolean gzip;
    private final CRC32 crc;
    private final @Nullable IdleStack<WholeBodyDeflater> whole;
    private @Nullable WholeBodyDeflater holding;
    private DeflaterPool.Pooled pooled;
    private Deflater deflater;
    private byte[] buffer;
    private boolean started;
    private boolean closed;

    DeflatingOutputStream(
            OutputStream downstream, DeflaterPool pool, boolean gzip, @Nullable IdleStack<WholeBodyDeflater> whole) {
        this.downstream = downstream;
        this.pool = pool;
        this.gzip = gzip;
        this.crc = gzip ? new CRC32() : null;
        this.whole = whole;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        if (length == 0) {
            return;
        }
        try {
            if (!started && whole != null) {
                if (holding == null) {
                    holding = takeWhole(whole);
                }
                if (holding.hold(bytes, offset, length)) {
                    return;
                }
            }
            start();
            feed(bytes, offset, length);
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    private void feed(byte[] bytes, int offset, int length) throws IOException {
        if (gzip) {
            crc.update(bytes, offset, length);
        }
        deflater.setInput(bytes, offset, length);
        while (!deflater.needsInput()) {
            drain(Deflater.NO_FLUSH);
        }
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        try {
            if (!started && holding != null && holding.held() > 0) {
                start();
            }
            if (started) {
                int written;
                do {
                    written = drain(Deflater.SYNC_FLUSH);
                } while (written == buffer.length);
            }
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
        downstream.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (!started && whole != null) {
                closeWhole(whole);
                return;
            }
            start();
            deflater.finish();
            while (!deflater.finished()) {
                drain(Deflater.NO_FLUSH);
            }
            if (gzip) {
                // The deflater's buffer is drained by now: the trailer goes through it, nothing allocated.
                int end = putIntLe(buffer, putIntLe(buffer, 0, (int) crc.getValue()), (int) deflater.getBytesRead());
                downstream.write(buffer, 0, end);
            }
            closed = true;
            pool.release(pooled);
            pooled = null;
            deflater = null;
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        } finally {
            closed = true;
            downstream.close();
        }
    }

    /** Starts zlib's stream, with the body held so far as its first input. */
    private void start() throws IOException {
        if (!started) {
            started = true;
            pooled = pool.acquire();
            deflater = pooled.deflater;
            buffer = pooled.buffer;
            if (gzip) {
                downstream.write(GZIP_HEADER);
            }
            WholeBodyDeflater held = holding;
            if (held != null) {
                holding = null;
                try {
                    feed(held.heldBytes(), 0, held.held());
                } finally {
                    releaseWhole(held);
                }
            }
        }
    }

    /** The whole body was held: one block between the format's header and trailer. */
    private void closeWhole(IdleStack<WholeBodyDeflater> stack) throws IOException {
        WholeBodyDeflater encoder = holding != null ? holding : takeWhole(stack);
        holding = null;
        try {
            int length = encoder.held();
            int check;
            if (gzip) {
                crc.update(encoder.heldBytes(), 0, length);
                check = (int) crc.getValue();
            } else {
                Adler32 adler = new Adler32();
                adler.update(encoder.heldBytes(), 0, length);
                check = (int) adler.getValue();
            }
            // The output buffer has room past any encoding for the trailer: one write, nothing allocated.
            int end = encoder.deflateHeld();
            byte[] out = encoder.output(); // after encoding: the buffer grows with the body
            if (gzip) {
                end = putIntLe(out, putIntLe(out, end, check), length);
            } else {
                end = putIntBe(out, end, check);
            }
            downstream.write(gzip ? GZIP_HEADER : ZLIB_HEADER);
            downstream.write(out, 0, end);
        } finally {
            releaseWhole(encoder);
        }
    }

    private static WholeBodyDeflater takeWhole(IdleStack<WholeBodyDeflater> stack) {
        WholeBodyDeflater encoder = stack.poll();
        return encoder != null ? encoder : new WholeBodyDeflater();
    }

    private void releaseWhole(WholeBodyDeflater encoder) {
        encoder.clear();
        if (whole != null) {
            whole.offer(encoder);
        }
    }

    private int drain(int flush) throws IOException {
        int written = deflater.deflate(buffer, 0, buffer.length, flush);
        if (written > 0) {
            downstream.write(buffer, 0, written);
        }
        return written;
    }

    /** Writes {@code value} little-endian at {@code at}; returns the index after it. */
    private static int putIntLe(byte[] into, int at, int value) {
        into[at] = (byte) value;
        into[at + 1] = (byte) (value >>> 8);
        into[at + 2] = (byte) (value >>> 16);
        into[at + 3] = (byte) (value >>> 24);
        return at + 4;
    }

    private static int putIntBe(byte[] into, int at, int value) {
        return putIntLe(into, at, Integer.reverseBytes(value));
    }

    private void fail() {
        WholeBodyDeflater held = holding;
        if (held != null) {
            holding = null;
            releaseWhole(held);
        }
        if (pooled != null) {
            pool.discard(pooled);
            pooled = null;
            deflater = null;
        }
        closed = true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
    }
}
