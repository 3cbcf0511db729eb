package dev.gatehouse.compression;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The stream plumbing of response compression: for a coding, the stream that encodes a body on its way to the
 * client — gzip and deflate with pooled deflaters (no per-response native allocation after warm-up), br and zstd
 * through their optional bindings. Flushes pass through as sync flushes.
 */
final class ResponseEncoders {
    private final int level;
    private final DeflaterPool gzipPool;
    private final DeflaterPool deflatePool;

    ResponseEncoders(int level, int poolSize) {
        this.level = level;
        this.gzipPool = new DeflaterPool(level, true, poolSize);
        this.deflatePool = new DeflaterPool(level, false, poolSize);
    }

    /** A stream that encodes what is written to it with {@code coding} into {@code out}. */
    OutputStream wrap(String coding, OutputStream out) throws IOException {
        return switch (coding) {
            case "gzip" -> new DeflatingOutputStream(out, gzipPool, true);
            case "deflate" -> new DeflatingOutputStream(out, deflatePool, false);
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
