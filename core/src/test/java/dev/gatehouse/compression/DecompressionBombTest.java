package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decompression bombs against the default policy, in a JVM of 128 MiB heap (the {@code bombs} surefire
 * execution): a bomb that could allocate its inflated size would die with OutOfMemoryError here.
 */
class DecompressionBombTest {
    @BeforeAll
    static void runsInASmallHeap() {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(160L * 1024 * 1024);
    }

    /** Gzip of {@code size} zero bytes, streamed: the bomb is built without holding its inflated size. */
    static byte[] bomb(long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            byte[] zeros = new byte[1024 * 1024];
            for (long written = 0; written < size; written += zeros.length) {
                gzip.write(zeros);
            }
        }
        return out.toByteArray();
    }

    @Test
    void sixteenMebibytesFromSixteenKibibytesIs413() throws IOException {
        byte[] bomb = bomb(16L * 1024 * 1024);
        assertThat(bomb.length).isLessThan(20 * 1024);

        Decision decision = FakeHost.decide(
                RequestDecompressionPolicy.ofDefaults(),
                FakeExchange.post("/upload").header("Content-Encoding", "gzip").withBody(bomb));

        assertThat(((Decision.Reject) decision).status()).isEqualTo(413);
    }

    @Test
    void aGibibyteFromAboutOneMebibyteIs413() throws IOException {
        byte[] bomb = bomb(1024L * 1024 * 1024);
        assertThat(bomb.length).isLessThan(2 * 1024 * 1024);
        RequestDecompressionPolicy policy = RequestDecompressionPolicy.builder()
                .maxWireBytes(4 * 1024 * 1024)
                .maxRatio(10_000)
                .build();

        Decision decision = FakeHost.decide(
                policy,
                FakeExchange.post("/upload").header("Content-Encoding", "gzip").withBody(bomb));

        assertThat(((Decision.Reject) decision).status()).isEqualTo(413);
        assertThat(decision.reason().orElseThrow()).contains("inflated body over 8388608 bytes");
    }
}
