package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every body encoded here must inflate, with zlib's own inflater, to exactly what went in. */
class FixedHuffmanDeflaterTest {
    private final FixedHuffmanDeflater encoder = new FixedHuffmanDeflater();
    private final Random random = new Random(7);

    @Test
    void anEmptyBodyIsOneFinalBlockWithNothingButItsEnd() {
        int length = encoder.deflate(new byte[0], 0);

        assertThat(Arrays.copyOf(encoder.output(), length)).containsExactly(0x03, 0x00);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 63, 64, 255, 256, 1000, 1024, 2048, 4095, 4096})
    void jsonOfEveryLengthInflatesToItself(int length) throws Exception {
        byte[] json = json(length);

        byte[] encoded = roundTrip(json);

        if (length >= 256) {
            assertThat(encoded.length).as("JSON compresses").isLessThan(length * 2 / 3);
        }
    }

    @Test
    void everyLengthUpToTheLimitInflatesToItself() throws Exception {
        byte[] text = json(FixedHuffmanDeflater.MAX_INPUT);
        byte[] noise = new byte[FixedHuffmanDeflater.MAX_INPUT];
        random.nextBytes(noise);
        for (int length = 0; length <= FixedHuffmanDeflater.MAX_INPUT; length += 1 + length / 16) {
            roundTrip(Arrays.copyOf(text, length));
            roundTrip(Arrays.copyOf(noise, length));
        }
    }

    @Test
    void bytesOfEveryValueAndEveryCodeLengthInflateToThemselves() throws Exception {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }

        roundTrip(all);
    }

    @Test
    void longRunsUseTheLongestMatchesAndTheFarthestDistances() throws Exception {
        byte[] zeros = new byte[FixedHuffmanDeflater.MAX_INPUT];
        byte[] fresh = json(FixedHuffmanDeflater.MAX_INPUT);
        byte[] noise = new byte[600];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, fresh, 0, 300);
        System.arraycopy(noise, 300, fresh, fresh.length - 300, 300);
        byte[] repeated = fresh.clone();
        System.arraycopy(repeated, 0, repeated, repeated.length - 300, 300); // 3,796 bytes back, longer than 258

        assertThat(roundTrip(zeros).length)
                .as("runs compress to a few bits per 258 bytes")
                .isLessThan(60);
        assertThat(roundTrip(repeated).length).isLessThan(roundTrip(fresh).length - 250);
    }

    @Test
    void incompressibleBodiesGoInAStoredBlockNoLongerThanTheBodyPlusFiveBytes() throws Exception {
        byte[] noise = new byte[FixedHuffmanDeflater.MAX_INPUT];
        random.nextBytes(noise);

        assertThat(roundTrip(noise)).hasSize(noise.length + 5);
        assertThat(encoder.output().length)
                .as("room for a gzip trailer after the largest result")
                .isGreaterThanOrEqualTo(noise.length + 5 + FixedHuffmanDeflater.TRAILER_ROOM);
    }

    @Test
    void aBodyNeverReferencesTheOneEncodedBeforeIt() throws Exception {
        byte[] first = json(3000);
        byte[] second = Arrays.copyOfRange(first, 100, 2100);

        roundTrip(first);
        roundTrip(second); // decoded alone: a match into the first body would not inflate
    }

    @Test
    void compressesJsonToAtMostAThirdMoreThanZlibsFastestLevel() throws Exception {
        byte[] json = json(1024);
        Deflater zlib = new Deflater(1, true);
        zlib.setInput(json);
        zlib.finish();
        int zlibLength = zlib.deflate(new byte[4096]);
        zlib.end();

        assertThat(roundTrip(json).length).isLessThan(zlibLength * 4 / 3);
    }

    @Test
    void aBodyPastTheLimitIsRefused() {
        assertThatThrownBy(() -> encoder.deflate(
                        new byte[FixedHuffmanDeflater.MAX_INPUT + 1], FixedHuffmanDeflater.MAX_INPUT + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(encoder.hold(new byte[FixedHuffmanDeflater.MAX_INPUT], 0, FixedHuffmanDeflater.MAX_INPUT))
                .isTrue();
        assertThat(encoder.hold(new byte[1], 0, 1)).isFalse();
        assertThat(encoder.held()).isEqualTo(FixedHuffmanDeflater.MAX_INPUT);
    }

    private byte[] roundTrip(byte[] body) throws DataFormatException {
        int length = encoder.deflate(body, body.length);
        byte[] encoded = Arrays.copyOf(encoder.output(), length);
        assertThat(length).isLessThanOrEqualTo(FixedHuffmanDeflater.maxOutput(body.length));
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(encoded);
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                assertThat(n > 0 || inflater.finished() || !inflater.needsInput())
                        .as("the stream of a %d-byte body ends with its final block", body.length)
                        .isTrue();
                decoded.write(buffer, 0, n);
            }
            assertThat(inflater.getRemaining())
                    .as("nothing after the final block")
                    .isZero();
            assertThat(decoded.toByteArray()).isEqualTo(body);
        } finally {
            inflater.end();
        }
        return encoded;
    }

    private byte[] json(int length) {
        StringBuilder json = new StringBuilder("{\"items\":[");
        while (json.length() < length) {
            json.append("{\"id\":")
                    .append(random.nextInt(100_000))
                    .append(",\"name\":\"item-")
                    .append(Integer.toHexString(random.nextInt()))
                    .append("\",\"tags\":[\"a\",\"b\"],\"price\":")
                    .append(random.nextInt(1000) / 10.0)
                    .append("},");
        }
        return Arrays.copyOf(json.toString().getBytes(StandardCharsets.UTF_8), length);
    }
}
