package dev.gatehouse.compression;

import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brotli (brotli4j) and zstd (zstd-jni), offered only when their bindings and native libraries load. Their
 * classes are touched only after the check, so Gatehouse runs without them: the loaders are lambdas, not
 * method references, because linking a method reference would load (and verify) the binding's classes.
 */
final class OptionalCodings {
    private static final Logger LOG = LoggerFactory.getLogger(OptionalCodings.class);
    private static final boolean BROTLI = probe("br", "com.aayushatharva.brotli4j.Brotli4jLoader", () -> Brotli.load());
    private static final boolean ZSTD = probe("zstd", "com.github.luben.zstd.Zstd", () -> Zstd.load());

    private OptionalCodings() {}

    static boolean available(String coding) {
        return switch (coding) {
            case "br" -> BROTLI;
            case "zstd" -> ZSTD;
            default -> false;
        };
    }

    /** Wraps {@code out} in an encoder of {@code coding}; flush passes through, close ends the stream. */
    static OutputStream wrap(String coding, OutputStream out, int level) throws IOException {
        return coding.equals("br") ? Brotli.wrap(out, level) : Zstd.wrap(out, level);
    }

    private interface Loader {
        void load() throws Throwable;
    }

    private static boolean probe(String coding, String className, Loader loader) {
        try {
            Class.forName(className, false, OptionalCodings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        try {
            loader.load();
            return true;
        } catch (Throwable e) {
            LOG.warn("{} compression unavailable: its native library did not load ({})", coding, e.toString());
            return false;
        }
    }

    private static final class Brotli {
        static void load() throws Throwable {
            com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability();
        }

        /** Quality from the gzip-style level: 1 → 4 (fast, still smaller than gzip), 9 → 9. */
        static OutputStream wrap(OutputStream out, int level) throws IOException {
            int quality = Math.max(4, Math.min(level, 9));
            return new com.aayushatharva.brotli4j.encoder.BrotliOutputStream(
                    out, new com.aayushatharva.brotli4j.encoder.Encoder.Parameters().setQuality(quality));
        }
    }

    private static final class Zstd {
        static void load() {
            com.github.luben.zstd.util.Native.load();
        }

        static OutputStream wrap(OutputStream out, int level) throws IOException {
            return new com.github.luben.zstd.ZstdOutputStream(out, Math.max(1, Math.min(level + 2, 19)));
        }
    }
}
