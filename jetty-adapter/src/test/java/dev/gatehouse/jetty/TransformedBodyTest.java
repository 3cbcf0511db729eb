package dev.gatehouse.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.junit.jupiter.api.Test;

/** How a transformed body reaches the network: few writes, nothing a transform emitted lost, bounded buffers. */
class TransformedBodyTest {
    /** A client that takes every write at once and remembers each. */
    private static final class RecordingSink implements Content.Sink {
        final List<byte[]> writes = new ArrayList<>();
        final List<Boolean> lasts = new ArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();

        @Override
        public void write(boolean last, ByteBuffer buffer, Callback callback) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            writes.add(bytes);
            lasts.add(last);
            all.writeBytes(bytes);
            callback.succeeded();
        }
    }

    /** Reports every pooled buffer acquired and not released. */
    private static final ArrayByteBufferPool.Tracking POOL = new ArrayByteBufferPool.Tracking();

    private static TransformedBody gzipped(RecordingSink sink) throws IOException {
        return gzipped(sink, false);
    }

    private static TransformedBody gzipped(RecordingSink sink, boolean lengthDeclared) throws IOException {
        ResponseHead head = ResponseHead.of(200, Headers.of("Content-Type", "application/json"));
        // The JDK's stream writes its header when it is created, before the first write of the body.
        head.transformBody(out -> new GZIPOutputStream(out, true));
        return new TransformedBody(sink, POOL, head, lengthDeclared);
    }

    private static byte[] json(int size) {
        StringBuilder text = new StringBuilder("[");
        Random random = new Random(7);
        while (text.length() < size - 40) {
            text.append("{\"id\":").append(random.nextInt(100_000)).append(",\"ok\":true},");
        }
        return text.append("{}]").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] gunzip(byte[] gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    private static void write(TransformedBody body, boolean last, byte[] bytes) throws Exception {
        FutureCallback done = new FutureCallback();
        body.write(last, ByteBuffer.wrap(bytes), done);
        done.get();
    }

    @Test
    void aSmallLastWriteLeavesInOneNetworkWriteWithTheResponsesEnd() throws Exception {
        RecordingSink sink = new RecordingSink();
        byte[] body = json(1024);

        write(gzipped(sink), true, body);

        assertThat(sink.writes).hasSize(1);
        assertThat(sink.lasts).containsExactly(true);
        assertThat(gunzip(sink.all.toByteArray())).isEqualTo(body);
    }

    @Test
    void aWriteThatIsNotTheLastIsFlushedInOneNetworkWriteAndTheEndFollows() throws Exception {
        RecordingSink sink = new RecordingSink();
        TransformedBody transformed = gzipped(sink);
        byte[] first = json(1024);

        write(transformed, false, first);

        assertThat(sink.writes).as("the piece and its sync flush, in one write").hasSize(1);
        assertThat(sink.lasts).containsExactly(false);
        // A sync flush makes everything written so far decodable by the client now.
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
        byte[] sent = sink.writes.get(0);
        inflater.setInput(sent, 10, sent.length - 10); // past the GZIP header
        byte[] decoded = new byte[first.length + 16];
        assertThat(inflater.inflate(decoded)).isEqualTo(first.length);
        inflater.end();

        write(transformed, true, new byte[0]);
        assertThat(sink.lasts).containsExactly(false, true);
        assertThat(gunzip(sink.all.toByteArray())).isEqualTo(first);
    }

    @Test
    void aLargeWriteLeavesInSliceSizedWritesAndNothingIsLost() throws Exception {
        RecordingSink sink = new RecordingSink();
        byte[] body = new byte[5 * TransformedBody.SLICE + 123];
        new Random(3).nextBytes(body); // incompressible: the output is as large as the input

        write(gzipped(sink), true, body);

        assertThat(sink.writes.size()).isBetween(3, 7);
        assertThat(sink.writes).allSatisfy(bytes -> assertThat(bytes.length).isLessThan(3 * TransformedBody.SLICE));
        assertThat(gunzip(sink.all.toByteArray())).isEqualTo(body);
    }

    @Test
    void aBodyOfDeclaredLengthReadInPiecesLeavesInOneNetworkWriteWithItsEnd() throws Exception {
        RecordingSink sink = new RecordingSink();
        TransformedBody transformed = gzipped(sink, true);
        byte[] body = json(20 * 1024);

        write(transformed, false, java.util.Arrays.copyOfRange(body, 0, 16 * 1024));
        assertThat(sink.writes).as("no flush for a piece of a document").isEmpty();
        write(transformed, true, java.util.Arrays.copyOfRange(body, 16 * 1024, body.length));

        assertThat(sink.writes).hasSize(1);
        assertThat(sink.lasts).containsExactly(true);
        assertThat(gunzip(sink.all.toByteArray())).isEqualTo(body);
    }

    @Test
    void aLargeBodyOfDeclaredLengthStillFlowsASliceAtATime() throws Exception {
        RecordingSink sink = new RecordingSink();
        TransformedBody transformed = gzipped(sink, true);
        byte[] piece = new byte[TransformedBody.SLICE];
        Random random = new Random(5);
        ByteArrayOutputStream body = new ByteArrayOutputStream();

        for (int i = 0; i < 4; i++) {
            random.nextBytes(piece); // incompressible: each piece's output is a slice's worth
            body.writeBytes(piece);
            write(transformed, false, piece);
        }
        assertThat(sink.writes).as("the output went on before the end").hasSizeGreaterThanOrEqualTo(2);
        assertThat(sink.writes).allSatisfy(bytes -> assertThat(bytes.length).isLessThan(3 * TransformedBody.SLICE));
        write(transformed, true, new byte[0]);

        assertThat(gunzip(sink.all.toByteArray())).isEqualTo(body.toByteArray());
    }

    @Test
    void directBuffersOfGrowingSizesAllReachTheClient() throws Exception {
        RecordingSink sink = new RecordingSink();
        TransformedBody transformed = gzipped(sink);
        byte[] body = json(100 + 5000 + 40 * 1024);
        int[] pieces = {100, 5000, body.length - 5100};
        int offset = 0;

        for (int i = 0; i < pieces.length; i++) {
            ByteBuffer direct = ByteBuffer.allocateDirect(pieces[i]);
            direct.put(body, offset, pieces[i]).flip();
            offset += pieces[i];
            FutureCallback done = new FutureCallback();
            transformed.write(i == pieces.length - 1, direct, done);
            done.get();
        }

        assertThat(sink.lasts).endsWith(true);
        assertThat(gunzip(sink.all.toByteArray())).isEqualTo(body);
        assertThat(POOL.getLeaks())
                .as("every pooled copy of direct content released")
                .isEmpty();
    }
}
