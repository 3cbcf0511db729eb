package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** REQUIREMENTS.md §4 items 10–14. */
class RequestDecompressionTest {
    static final byte[] ORIGINAL = payments();

    /** Payment lines that compress about as well as real JSON does (well under 100:1). */
    static byte[] payments() {
        StringBuilder json = new StringBuilder();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 400; i++) {
            json.append("{\"id\":\"pay_")
                    .append(Long.toHexString(random.nextLong()))
                    .append("\",\"amount\":")
                    .append(random.nextInt(100_000))
                    .append(",\"currency\":\"EUR\"}\n");
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    final RequestDecompressionPolicy policy = RequestDecompressionPolicy.ofDefaults();

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    static byte[] zlib(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out)) {
            deflate.write(bytes);
        }
        return out.toByteArray();
    }

    static byte[] rawDeflate(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, new Deflater(6, true))) {
            deflate.write(bytes);
        }
        return out.toByteArray();
    }

    FakeExchange post(String encoding, byte[] body) {
        return FakeExchange.post("/payments")
                .header("Content-Encoding", encoding)
                .withBody(body);
    }

    void assertInflated(FakeExchange exchange, Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Proceed.class);
        assertThat(((Decision.Proceed) decision).removedHeaders()).containsExactly("Content-Encoding");
        assertThat(exchange.bodyReplaced()).isTrue();
        assertThat(exchange.body().orElseThrow().toByteArray()).isEqualTo(ORIGINAL);
    }

    void assertRefused(Decision decision, int status, String reason) {
        assertThat(decision).isInstanceOf(Decision.Reject.class);
        assertThat(((Decision.Reject) decision).status()).isEqualTo(status);
        assertThat(decision.reason())
                .hasValueSatisfying(text -> assertThat(text).contains(reason));
    }

    @Test
    void inflatesGzipAndZlibDeflateBodies() throws IOException {
        FakeExchange gzip = post("gzip", gzip(ORIGINAL));
        assertInflated(gzip, FakeHost.decide(policy, gzip));

        FakeExchange xgzip = post("X-GZIP", gzip(ORIGINAL));
        assertInflated(xgzip, FakeHost.decide(policy, xgzip));

        FakeExchange deflate = post("deflate", zlib(ORIGINAL));
        assertInflated(deflate, FakeHost.decide(policy, deflate));
    }

    @Test
    void decodesStackedCodingsInReverseOrderAndConcatenatedMembers() throws IOException {
        FakeExchange stacked = post("deflate, gzip", gzip(zlib(ORIGINAL)));
        assertInflated(stacked, FakeHost.decide(policy, stacked));

        byte[] half = Arrays.copyOf(ORIGINAL, ORIGINAL.length / 2);
        byte[] rest = Arrays.copyOfRange(ORIGINAL, ORIGINAL.length / 2, ORIGINAL.length);
        byte[] first = gzip(half);
        byte[] second = gzip(rest);
        byte[] members = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, members, first.length, second.length);
        FakeExchange multi = post("gzip", members);
        assertInflated(multi, FakeHost.decide(policy, multi));

        assertRefused(
                FakeHost.decide(policy, post("gzip, gzip, gzip", gzip(gzip(gzip(ORIGINAL))))),
                415,
                "3 stacked codings");
    }

    @Test
    void leavesPlainBodiesAloneWithoutReadingThem() {
        FakeExchange plain = FakeExchange.post("/payments").withBody(ORIGINAL);
        FakeExchange identity = post("identity", ORIGINAL);

        assertThat(FakeHost.decide(policy, plain)).isEqualTo(Decision.proceed());
        assertThat(FakeHost.decide(policy, identity)).isEqualTo(Decision.proceed());
        assertThat(plain.bodyReads()).isZero();
        assertThat(plain.bodyReplaced()).isFalse();
    }

    @Test
    void anEmptyBodyThatClaimsACodingPassesWithoutIt() {
        FakeExchange empty = post("gzip", new byte[0]);
        FakeExchange get = FakeExchange.get("/payments").header("Content-Encoding", "gzip");

        for (FakeExchange exchange : List.of(empty, get)) {
            Decision decision = FakeHost.decide(policy, exchange);
            assertThat(decision).isInstanceOf(Decision.Proceed.class);
            assertThat(((Decision.Proceed) decision).removedHeaders()).containsExactly("Content-Encoding");
        }
    }

    @Test
    void refusesUnsupportedCodingsWith415AndAcceptEncoding() {
        Decision decision = FakeHost.decide(policy, post("br", new byte[] {1, 2, 3}));

        assertRefused(decision, 415, "unsupported coding br");
        assertThat(((Decision.Reject) decision).headers().first("Accept-Encoding"))
                .hasValue("gzip, deflate");
        assertRefused(
                FakeHost.decide(policy, post("gzip, compress", new byte[] {1})), 415, "unsupported coding compress");
    }

    @Test
    void refusesBrokenStreamsWith400() throws IOException {
        byte[] gzip = gzip(ORIGINAL);

        assertRefused(FakeHost.decide(policy, post("gzip", Arrays.copyOf(gzip, gzip.length - 12))), 400, "truncated");
        byte[] badCrc = gzip.clone();
        badCrc[badCrc.length - 8] ^= 0x01;
        assertRefused(FakeHost.decide(policy, post("gzip", badCrc)), 400, "gzip CRC-32 mismatch");
        byte[] badSize = gzip.clone();
        badSize[badSize.length - 4] ^= 0x01;
        assertRefused(FakeHost.decide(policy, post("gzip", badSize)), 400, "gzip ISIZE mismatch");
        byte[] trailing = Arrays.copyOf(gzip, gzip.length + 5);
        assertRefused(FakeHost.decide(policy, post("gzip", trailing)), 400, "trailing garbage after the gzip stream");
        assertRefused(FakeHost.decide(policy, post("gzip", ORIGINAL)), 400, "not a gzip stream");
        byte[] corrupt = gzip.clone();
        corrupt[20] ^= (byte) 0xff;
        Decision decision = FakeHost.decide(policy, post("gzip", corrupt));
        assertThat(((Decision.Reject) decision).status()).isEqualTo(400);

        byte[] zlib = zlib(ORIGINAL);
        assertRefused(
                FakeHost.decide(policy, post("deflate", Arrays.copyOf(zlib, zlib.length + 3))),
                400,
                "trailing garbage after the deflate stream");
        assertRefused(FakeHost.decide(policy, post("deflate", Arrays.copyOf(zlib, zlib.length / 2))), 400, "truncated");
        assertRefused(FakeHost.decide(policy, post("deflate", rawDeflate(ORIGINAL))), 400, "corrupt compressed data");
    }

    @Test
    void capsTheWireSizeTheInflatedSizeAndTheRatio() throws IOException {
        RequestDecompressionPolicy small = RequestDecompressionPolicy.builder()
                .maxWireBytes(1024)
                .maxInflatedBytes(64 * 1024)
                .maxRatio(10)
                .build();
        byte[] random = new byte[4096];
        new java.util.Random(7).nextBytes(random);

        assertRefused(FakeHost.decide(small, post("gzip", gzip(random))), 413, "request body over 1024 bytes");
        assertRefused(FakeHost.decide(small, post("gzip", gzip(new byte[100 * 1024]))), 413, "inflated body over");
        Decision ratio = FakeHost.decide(small, post("gzip", gzip(new byte[32 * 1024])));
        assertRefused(ratio, 413, "ratio 10:1");
    }
}
