package dev.gatehouse.host;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Lets a body transform close its stream (to write its trailer, say) without closing the container's: the
 * host ends the response itself. {@code close()} only flushes.
 */
public final class CloseShield extends FilterOutputStream {
    public CloseShield(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
