package dev.gatehouse.compression;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Encodes a body as {@code gzip} (RFC 1952) or {@code deflate} (the zlib format, RFC 1950) with a pooled
 * deflater. {@code flush()} emits everything written so far (a sync flush) so that streamed responses keep
 * flowing; {@code close()} writes the trailer, returns the deflater and closes the downstream.
 */
final class DeflatingOutputStream extends OutputStream {
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream downstream;
    private final DeflaterPool pool;
    private final boolean gzip;
    private final CRC32 crc;
    private DeflaterPool.Pooled pooled;
    private Deflater deflater;
    private byte[] buffer;
    private boolean started;
    private boolean closed;

    DeflatingOutputStream(OutputStream downstream, DeflaterPool pool, boolean gzip) {
        this.downstream = downstream;
        this.pool = pool;
        this.gzip = gzip;
        this.crc = gzip ? new CRC32() : null;
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
        start();
        if (gzip) {
            crc.update(bytes, offset, length);
        }
        deflater.setInput(bytes, offset, length);
        try {
            while (!deflater.needsInput()) {
                drain(Deflater.NO_FLUSH);
            }
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (started) {
            try {
                int written;
                do {
                    written = drain(Deflater.SYNC_FLUSH);
                } while (written == buffer.length);
            } catch (IOException | RuntimeException e) {
                fail();
                throw e;
            }
        }
        downstream.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            start();
            deflater.finish();
            while (!deflater.finished()) {
                drain(Deflater.NO_FLUSH);
            }
            if (gzip) {
                writeIntLe((int) crc.getValue());
                writeIntLe((int) deflater.getBytesRead());
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

    private void start() throws IOException {
        if (!started) {
            started = true;
            pooled = pool.acquire();
            deflater = pooled.deflater;
            buffer = pooled.buffer;
            if (gzip) {
                downstream.write(GZIP_HEADER);
            }
        }
    }

    private int drain(int flush) throws IOException {
        int written = deflater.deflate(buffer, 0, buffer.length, flush);
        if (written > 0) {
            downstream.write(buffer, 0, written);
        }
        return written;
    }

    private void writeIntLe(int value) throws IOException {
        downstream.write(new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
    }

    private void fail() {
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
