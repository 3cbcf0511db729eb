package dev.gatehouse.compression;

import java.io.IOException;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The stream plumbing of response compression: for a coding, the stream that encodes a body on its way to the
 * client — gzip and deflate with pooled deflaters (no per-response native allocation after warm-up), br and zstd
 * through their optional bindings. Flushes pass through as sync flushes. At level 1 (the fastest, the default) a
 * body of up to {@link WholeBodyDeflater#MAX_INPUT} bytes that ends before any flush is encoded whole by a {@link
 * WholeBodyDeflater}, without zlib's fixed cost per response.
 */
final class ResponseEncoders {
    private final int level;
    private final DeflaterPool gzipPool;
    private final DeflaterPool deflatePool;
    private final @Nullable IdleStack<WholeBodyDeflater> whole;

    ResponseEncoders(int level, int poolSize) {
        this.level = level;
        this.gzipPool = new DeflaterPool(level, true, poolSize);
        this.deflatePool = new DeflaterPool(level, false, poolSize);
        this.whole = level == 1 ? new IdleStack<>(poolSize) : null;
    }

    /** A stream that encodes what is written to it with {@code coding} into {@code out}. */
    OutputStream wrap(String coding, OutputStream out) throws IOException {
        return switch (coding) {
            case "gzip" -> new DeflatingOutputStream(out, gzipPool, true, whole);
            case "deflate" -> new DeflatingOutputStream(out, deflatePool, false, whole);
            default -> OptionalCodings.wrap(coding, out, level);
        };
    }

    DeflaterPool gzipPool() {
        return gzipPool;
    }

    DeflaterPool deflatePool() {
        return deflatePool;
    }
}
