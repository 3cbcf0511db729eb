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
class WholeBodyDeflaterTest {
    private final WholeBodyDeflater encoder = new WholeBodyDeflater();
    private final Random random = new Random(7);

    @Test
    void anEmptyBodyIsOneFinalBlockWithNothingButItsEnd() {
        int length = encoder.deflate(new byte[0], 0);

        assertThat(Arrays.copyOf(encoder.output(), length)).containsExactly(0x03, 0x00);
    }

    @ParameterizedTest
    @ValueSource(
            ints = {1, 2, 3, 4, 5, 7, 63, 64, 255, 256, 1000, 1024, 2048, 4095, 4096, 4097, 8192, 20480, 32767, 32768})
    void jsonOfEveryLengthInflatesToItself(int length) throws Exception {
        byte[] json = json(length);

        byte[] encoded = roundTrip(json);

        if (length >= 256) {
            assertThat(encoded.length).as("JSON compresses").isLessThan(length * 2 / 3);
        }
    }

    @Test
    void everyLengthUpToTheLimitInflatesToItself() throws Exception {
        byte[] text = json(WholeBodyDeflater.MAX_INPUT);
        byte[] noise = new byte[WholeBodyDeflater.MAX_INPUT];
        random.nextBytes(noise);
        for (int length = 0; length <= WholeBodyDeflater.MAX_INPUT; length += 1 + length / 16) {
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
        byte[] zeros = new byte[WholeBodyDeflater.MAX_INPUT];
        byte[] fresh = json(WholeBodyDeflater.MAX_INPUT);
        byte[] noise = new byte[600];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, fresh, 0, 300);
        System.arraycopy(noise, 300, fresh, fresh.length - 300, 300);
        byte[] repeated = fresh.clone();
        System.arraycopy(repeated, 0, repeated, repeated.length - 300, 300); // 3,796 bytes back, longer than 258

        assertThat(roundTrip(zeros).length)
                .as("runs compress to a few bytes per 258")
                .isLessThan(500);
        assertThat(roundTrip(repeated).length).isLessThan(roundTrip(fresh).length - 250);
    }

    @Test
    void incompressibleBodiesGoInAStoredBlockNoLongerThanTheBodyPlusFiveBytes() throws Exception {
        byte[] noise = new byte[WholeBodyDeflater.MAX_INPUT];
        random.nextBytes(noise);

        assertThat(roundTrip(noise)).hasSize(noise.length + 5);
        assertThat(encoder.output().length)
                .as("room for a gzip trailer after the largest result")
                .isGreaterThanOrEqualTo(noise.length + 5 + WholeBodyDeflater.TRAILER_ROOM);
    }

    @Test
    void aBodyNeverReferencesTheOneEncodedBeforeIt() throws Exception {
        byte[] first = json(3000);
        byte[] second = Arrays.copyOfRange(first, 100, 2100);

        byte[] large = json(WholeBodyDeflater.MAX_INPUT);
        byte[] larger = Arrays.copyOfRange(large, 0, 20_000);
        larger[0] = '['; // unlike the large body from its first byte

        roundTrip(first);
        roundTrip(second); // decoded alone: a match into the first body would not inflate
        roundTrip(large); // fills the whole hash table
        roundTrip(second); // clears only the part its size uses
        roundTrip(larger); // uses more of the table than the body before it cleared
    }

    @Test
    void compressesSmallJsonToAtMostAThirdMoreThanZlibsFastestLevel() throws Exception {
        byte[] json = json(1024);

        byte[] encoded = roundTrip(json);

        assertThat(encoded[0] & 7).as("one final block with the fixed codes").isEqualTo(3);
        assertThat(encoded.length).isLessThan(zlibFastest(json) * 4 / 3);
    }

    @ParameterizedTest
    @ValueSource(ints = {8192, 20480, 32768})
    void compressesLargerJsonAndTextWithDynamicCodesToWithinAFewPercentOfZlibsFastestLevel(int length)
            throws Exception {
        byte[] json = json(length);
        byte[] text = text(length);

        byte[] encodedJson = roundTrip(json);
        byte[] encodedText = roundTrip(text);

        assertThat(encodedJson[0] & 7).as("one final block with dynamic codes").isEqualTo(5);
        assertThat(encodedText[0] & 7).as("one final block with dynamic codes").isEqualTo(5);
        assertThat(encodedJson.length).isLessThan(zlibFastest(json) * 105 / 100);
        assertThat(encodedText.length).isLessThan(zlibFastest(text) * 105 / 100);
    }

    @Test
    void aBodyOfFewSymbolsKeepsTheFixedCodesHoweverLong() throws Exception {
        byte[] sentence = "The quick brown fox jumps over the lazy dog. ".getBytes(StandardCharsets.UTF_8);
        byte[] repeated = new byte[20_480];
        for (int i = 0; i < repeated.length; i++) {
            repeated[i] = sentence[i % sentence.length];
        }

        byte[] encoded = roundTrip(repeated);

        assertThat(encoded[0] & 7)
                .as("about 125 symbols: building dynamic codes would cost more than they save")
                .isEqualTo(3);
        assertThat(encoded.length).as("about 2 bytes for each 258").isLessThan(300);
    }

    @Test
    void randomMixturesOfTextRunsCopiesAndNoiseInflateToThemselves() throws Exception {
        for (int n = 0; n < 300; n++) {
            byte[] body = new byte[random.nextInt(WholeBodyDeflater.MAX_INPUT + 1)];
            int at = 0;
            while (at < body.length) {
                int piece = Math.min(body.length - at, 1 + random.nextInt(3000));
                switch (random.nextInt(4)) {
                    case 0 -> {
                        byte[] noise = new byte[piece];
                        random.nextBytes(noise);
                        System.arraycopy(noise, 0, body, at, piece);
                    }
                    case 1 -> Arrays.fill(body, at, at + piece, (byte) random.nextInt(256));
                    case 2 -> {
                        int from = at == 0 ? 0 : random.nextInt(at); // overlapping copies: runs of a pattern
                        for (int i = 0; i < piece; i++) {
                            body[at + i] = at == 0 ? (byte) i : body[from + i];
                        }
                    }
                    default -> System.arraycopy(text(piece), 0, body, at, piece);
                }
                at += piece;
            }

            roundTrip(body); // one encoder for all: its buffers grow and its table is cleared between bodies
        }
    }

    @Test
    void skewedBodiesWithDeepTreesInflateToThemselves() throws Exception {
        byte[] body = new byte[WholeBodyDeflater.MAX_INPUT];
        int at = 0;
        int count = 1;
        int previous = 1;
        for (int symbol = 0; at < body.length; symbol++) {
            for (int i = 0; i < count && at < body.length; i++) {
                body[at++] = (byte) symbol;
            }
            int next = count + previous;
            previous = count;
            count = next;
        }
        for (int i = body.length - 1; i > 0; i--) { // shuffled: few matches, so the literals keep their skew
            int j = random.nextInt(i + 1);
            byte swap = body[i];
            body[i] = body[j];
            body[j] = swap;
        }

        roundTrip(body);
    }

    @Test
    void aBodyPastTheLimitIsRefused() {
        assertThatThrownBy(() ->
                        encoder.deflate(new byte[WholeBodyDeflater.MAX_INPUT + 1], WholeBodyDeflater.MAX_INPUT + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(encoder.hold(new byte[WholeBodyDeflater.MAX_INPUT], 0, WholeBodyDeflater.MAX_INPUT))
                .isTrue();
        assertThat(encoder.hold(new byte[1], 0, 1)).isFalse();
        assertThat(encoder.held()).isEqualTo(WholeBodyDeflater.MAX_INPUT);
    }

    private byte[] roundTrip(byte[] body) throws DataFormatException {
        int length = encoder.deflate(body, body.length);
        byte[] encoded = Arrays.copyOf(encoder.output(), length);
        assertThat(length).isLessThanOrEqualTo(WholeBodyDeflater.maxOutput(body.length));
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

    private static int zlibFastest(byte[] body) {
        Deflater zlib = new Deflater(1, true);
        try {
            zlib.setInput(body);
            zlib.finish();
            return zlib.deflate(new byte[body.length + 64]);
        } finally {
            zlib.end();
        }
    }

    private byte[] text(int length) {
        String[] words = {
            "the",
            "gateway",
            "answers",
            "with",
            "a",
            "problem",
            "when",
            "token",
            "expired",
            "route",
            "upstream",
            "limit",
            "of",
            "requests",
            "per",
            "second",
            "and",
            "client",
            "sends",
            "headers"
        };
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(12) == 0 ? ".\n" : " ");
        }
        return Arrays.copyOf(text.toString().getBytes(StandardCharsets.UTF_8), length);
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
