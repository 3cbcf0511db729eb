package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Exchange;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REQUIREMENTS.md §4 items 3–9 through the in-memory host; the conformance suite repeats them on real hosts. */
class CompressionPolicyTest {
    static final byte[] JSON =
            ("{\"items\":[" + "{\"id\":1,\"name\":\"widget\"},".repeat(200) + "{}]}").getBytes(StandardCharsets.UTF_8);

    final CompressionPolicy compression = CompressionPolicy.ofDefaults();
    final PolicyChain chain = PolicyChain.of(compression);

    static FakeResponse json(Exchange exchange) {
        return FakeResponse.of(200)
                .header("Content-Type", "application/json")
                .header("Content-Length", Integer.toString(JSON.length))
                .header("ETag", "\"v1\"")
                .header("Vary", "Origin")
                .withBody(JSON);
    }

    FakeResponse get(String acceptEncoding) {
        FakeExchange exchange = FakeExchange.get("/items");
        if (acceptEncoding != null) {
            exchange.header("Accept-Encoding", acceptEncoding);
        }
        return FakeHost.serve(chain, exchange, CompressionPolicyTest::json);
    }

    static byte[] gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    @Test
    void gzipsForClientsThatAcceptItAndTheBytesDecodeToTheOriginal() throws IOException {
        FakeResponse response = get("gzip, deflate");

        assertThat(response.headers().first("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().contains("Content-Length")).isFalse();
        assertThat(response.headers().all("Vary")).containsExactly("Origin, Accept-Encoding");
        assertThat(response.headers().first("ETag")).hasValue("\"v1--gzip\"");
        assertThat(response.body().length).isLessThan(JSON.length / 5);
        assertThat(gunzip(response.body())).isEqualTo(JSON);
    }

    @Test
    void deflatesInTheZlibFormat() throws IOException {
        FakeResponse response = get("deflate");

        assertThat(response.headers().first("Content-Encoding")).hasValue("deflate");
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(response.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(JSON);
        }
    }

    @Test
    void offersBrotliAndZstdWhenTheirBindingsArePresent() throws IOException {
        FakeResponse brotli = get("br, gzip");
        assertThat(brotli.headers().first("Content-Encoding")).hasValue("br");
        try (InputStream in =
                new com.aayushatharva.brotli4j.decoder.BrotliInputStream(new ByteArrayInputStream(brotli.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(JSON);
        }

        FakeResponse zstd = get("zstd;q=1, gzip;q=0.5");
        assertThat(zstd.headers().first("Content-Encoding")).hasValue("zstd");
        try (InputStream in = new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(zstd.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(JSON);
        }

        assertThat(get("gzip, deflate, br, zstd").headers().first("Content-Encoding"))
                .hasValue("br");
    }

    @Test
    void zstdAndBrotliFlushesPassThrough() throws IOException {
        for (String coding : List.of("br", "zstd")) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            OutputStream out = OptionalCodings.wrap(coding, wire, 1);
            out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] flushed = wire.toByteArray();
            out.close();

            String decoded = coding.equals("br")
                    ? brotliPrefix(flushed)
                    : readUntilTheStreamEnds(
                            new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(flushed)));
            assertThat(decoded).as(coding).isEqualTo("data: one\n\n");
        }
    }

    /** Decodes an unfinished brotli stream with brotli's push decoder, which yields output before the end. */
    static String brotliPrefix(byte[] flushed) throws IOException {
        var decoder = new com.aayushatharva.brotli4j.decoder.DecoderJNI.Wrapper(flushed.length);
        try {
            decoder.getInputBuffer().put(flushed);
            decoder.push(flushed.length);
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            while (decoder.hasOutput()) {
                java.nio.ByteBuffer chunk = decoder.pull();
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                decoded.write(bytes);
            }
            return decoded.toString(StandardCharsets.UTF_8);
        } finally {
            decoder.destroy();
        }
    }

    /** What a decoder yields from an unfinished stream before it runs out of input. */
    static String readUntilTheStreamEnds(InputStream decoder) {
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        try (decoder) {
            for (int b; (b = decoder.read()) != -1; ) {
                decoded.write(b);
            }
        } catch (IOException e) {
            // an unfinished stream ends in an error after the flushed data
        }
        return decoded.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theIdentityVariantVariesToo() {
        FakeResponse response = get(null);

        assertThat(response.headers().contains("Content-Encoding")).isFalse();
        assertThat(response.headers().all("Vary")).containsExactly("Origin, Accept-Encoding");
        assertThat(response.headers().first("ETag")).hasValue("\"v1\"");
        assertThat(response.body()).isEqualTo(JSON);
    }

    @Test
    void varyIsMergedNeverDuplicatedAndStarIsKept() {
        FakeResponse merged = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> json(exchange).header("Vary", "accept-encoding"));
        assertThat(merged.headers().all("Vary")).containsExactly("Origin, accept-encoding");

        FakeResponse star = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> FakeResponse.ok("x".repeat(1000))
                        .header("Content-Type", "text/plain")
                        .header("Vary", "*"));
        assertThat(star.headers().all("Vary")).containsExactly("*");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "no-transform",
                "public, no-transform",
                "max-age=60,No-Transform",
            })
    void neverTransformsANoTransformResponse(String cacheControl) {
        FakeResponse response = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> json(exchange).header("Cache-Control", cacheControl));

        assertThat(response.headers().contains("Content-Encoding")).isFalse();
        assertThat(response.body()).isEqualTo(JSON);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "image/png",
                "image/jpeg",
                "video/mp4",
                "audio/ogg",
                "application/zip",
                "application/gzip",
                "application/octet-stream",
                "font/woff2"
            })
    void leavesCompressedAndBinaryTypesAlone(String type) {
        FakeResponse response = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> FakeResponse.of(200).header("Content-Type", type).withBody("x".repeat(1000)));

        assertThat(response.headers().contains("Content-Encoding")).isFalse();
        assertThat(response.headers().contains("Vary")).isFalse();
    }

    @Test
    void leavesServerSentEventsAloneByDefaultSoEachEventFlowsAtOnce() {
        FakeResponse response = FakeHost.serve(
                chain,
                FakeExchange.get("/events").header("Accept-Encoding", "gzip"),
                exchange -> FakeResponse.of(200)
                        .header("Content-Type", "text/event-stream; charset=utf-8")
                        .withBody("data: one\n\n".repeat(100)));

        assertThat(response.headers().contains("Content-Encoding")).isFalse();
    }

    @Test
    void neverDoubleEncodesAndSkipsSmallPartialAndEmptyResponses() {
        FakeExchange gzip = FakeExchange.get("/").header("Accept-Encoding", "gzip");
        FakeResponse encoded =
                FakeHost.serve(chain, gzip, exchange -> json(exchange).header("Content-Encoding", "br"));
        assertThat(encoded.headers().all("Content-Encoding")).containsExactly("br");

        FakeResponse small = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> FakeResponse.ok("{}")
                        .header("Content-Type", "application/json")
                        .header("Content-Length", "2"));
        assertThat(small.headers().contains("Content-Encoding")).isFalse();
        assertThat(small.bodyText()).isEqualTo("{}");

        FakeResponse partial = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip").header("Range", "bytes=0-99"),
                exchange -> json(exchange));
        assertThat(partial.headers().contains("Content-Encoding")).isFalse();

        FakeResponse noContent = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> FakeResponse.of(204).header("Content-Type", "application/json"));
        assertThat(noContent.headers().contains("Content-Encoding")).isFalse();
        assertThat(noContent.body()).isEmpty();
    }

    @Test
    void headGetsTheHeadersGetWouldAndNoBody() {
        FakeResponse head = FakeHost.serve(
                chain,
                FakeExchange.of("HEAD", "/items").header("Accept-Encoding", "gzip"),
                exchange -> json(exchange).withBody(new byte[0]));
        FakeResponse get = get("gzip");

        assertThat(head.headers().first("Content-Encoding"))
                .isEqualTo(get.headers().first("Content-Encoding"));
        assertThat(head.headers().all("Vary")).isEqualTo(get.headers().all("Vary"));
        assertThat(head.headers().first("ETag")).isEqualTo(get.headers().first("ETag"));
        assertThat(head.headers().contains("Content-Length")).isFalse();
        assertThat(head.body()).isEmpty();
    }

    @Test
    void conditionalRequestsWithTheCodedTagStillYield304() {
        FakeResponse first = get("gzip");
        String tag = first.headers().first("ETag").orElseThrow();

        FakeResponse revalidated = FakeHost.serve(
                chain,
                FakeExchange.get("/items").header("Accept-Encoding", "gzip").header("If-None-Match", tag),
                exchange -> exchange.requestHeaders().all("If-None-Match").contains("\"v1\"")
                        ? FakeResponse.of(304).header("ETag", "\"v1\"")
                        : json(exchange));

        assertThat(revalidated.status()).isEqualTo(304);
        assertThat(revalidated.headers().first("ETag")).hasValue(tag);
        assertThat(revalidated.headers().all("Vary")).containsExactly("Accept-Encoding");
        assertThat(revalidated.body()).isEmpty();
    }

    @Test
    void theBreachSwitchesKeepResponsesIdentity() {
        CompressionPolicy excluding = CompressionPolicy.builder()
                .exclude(exchange -> exchange.path().startsWith("/account"))
                .skipCredentialedRequests()
                .build();
        PolicyChain chain = PolicyChain.of(excluding);

        FakeResponse flagged = FakeHost.serve(
                chain,
                FakeExchange.get("/account/settings").header("Accept-Encoding", "gzip"),
                CompressionPolicyTest::json);
        FakeResponse credentialed = FakeHost.serve(
                chain,
                FakeExchange.get("/items").header("Accept-Encoding", "gzip").header("Cookie", "session=1"),
                CompressionPolicyTest::json);
        FakeResponse plain = FakeHost.serve(
                chain, FakeExchange.get("/items").header("Accept-Encoding", "gzip"), CompressionPolicyTest::json);

        assertThat(flagged.headers().contains("Content-Encoding")).isFalse();
        assertThat(credentialed.headers().contains("Content-Encoding")).isFalse();
        assertThat(plain.headers().first("Content-Encoding")).hasValue("gzip");
    }

    @Test
    void flushesPassThroughSoStreamsKeepFlowing() throws IOException {
        DeflaterPool pool = compression.gzipPool();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        OutputStream out = new DeflatingOutputStream(wire, pool, true, new IdleStack<>(4));

        out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] afterFirstFlush = wire.toByteArray();
        out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();

        assertThat(afterFirstFlush.length).isGreaterThan(10);
        assertThat(inflatePrefix(afterFirstFlush)).isEqualTo("data: one\n\n");
        out.close();
        assertThat(new String(gunzip(wire.toByteArray()), StandardCharsets.UTF_8))
                .isEqualTo("data: one\n\ndata: two\n\n");
    }

    /** Inflates a gzip stream that has been sync-flushed but not finished. */
    static String inflatePrefix(byte[] gzip) {
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
        try {
            inflater.setInput(gzip, 10, gzip.length - 10);
            byte[] out = new byte[1024];
            int n = inflater.inflate(out);
            return new String(out, 0, n, StandardCharsets.UTF_8);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException(e);
        } finally {
            inflater.end();
        }
    }

    @Test
    void anEmptyBodyIsStillAValidGzipStream() throws IOException {
        FakeResponse response = FakeHost.serve(
                chain,
                FakeExchange.get("/").header("Accept-Encoding", "gzip"),
                exchange -> FakeResponse.of(200).header("Content-Type", "application/json"));

        assertThat(response.headers().first("Content-Encoding")).hasValue("gzip");
        assertThat(gunzip(response.body())).isEmpty();
    }

    @Test
    void aHundredThousandCompressionsReuseTheSameDeflaters() throws IOException {
        // Level 2: at level 1 a body this size never reaches zlib.
        CompressionPolicy policy =
                CompressionPolicy.builder().minSize(0).level(2).build();
        PolicyChain pooled = PolicyChain.of(policy);
        for (int i = 0; i < 100_000; i++) {
            FakeResponse response = FakeHost.serve(
                    pooled,
                    FakeExchange.get("/").header("Accept-Encoding", i % 2 == 0 ? "gzip" : "deflate"),
                    CompressionPolicyTest::json);
            if (i % 10_000 == 0) {
                assertThat(response.body()).isNotEmpty();
            }
        }

        assertThat(policy.gzipPool().created()).isEqualTo(1);
        assertThat(policy.deflatePool().created()).isEqualTo(1);
        assertThat(policy.gzipPool().live()).isEqualTo(1);
    }

    @Test
    void bodiesUpTo32KiBAtLevelOneNeverReachZlibAndStillDecode() throws IOException {
        assertBodyNeverReachesZlibAtLevelOne(Arrays.copyOf(JSON, 1024));
        byte[] larger = (new String(JSON, StandardCharsets.UTF_8).repeat(5)).getBytes(StandardCharsets.UTF_8);
        assertThat(larger.length).isBetween(20_000, WholeBodyDeflater.MAX_INPUT);
        assertBodyNeverReachesZlibAtLevelOne(larger);
    }

    private static void assertBodyNeverReachesZlibAtLevelOne(byte[] small) throws IOException {
        CompressionPolicy fast = CompressionPolicy.builder().level(1).build();
        CompressionPolicy thorough = CompressionPolicy.builder().level(2).build();
        java.util.function.Function<Exchange, FakeResponse> service =
                exchange -> FakeResponse.of(200).withBody(small).header("Content-Type", "application/json");

        FakeResponse gzip =
                FakeHost.serve(PolicyChain.of(fast), FakeExchange.get("/").header("Accept-Encoding", "gzip"), service);
        FakeResponse deflate = FakeHost.serve(
                PolicyChain.of(fast), FakeExchange.get("/").header("Accept-Encoding", "deflate"), service);
        FakeResponse level2 = FakeHost.serve(
                PolicyChain.of(thorough), FakeExchange.get("/").header("Accept-Encoding", "gzip"), service);

        assertThat(gunzip(gzip.body())).isEqualTo(small);
        assertThat(gzip.body().length).isLessThan(small.length / 4);
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(deflate.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(small);
        }
        assertThat(gunzip(level2.body())).isEqualTo(small);
        assertThat(fast.gzipPool().created() + fast.deflatePool().created()).isZero();
        assertThat(thorough.gzipPool().created()).isEqualTo(1);
    }

    @Test
    void aBodyWrittenInManySmallPiecesIsHeldWholeAndNeverReachesZlib() throws IOException {
        DeflaterPool pool = compression.gzipPool();
        IdleStack<WholeBodyDeflater> whole = new IdleStack<>(4);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        OutputStream out = new DeflatingOutputStream(wire, pool, true, whole);
        byte[] body = Arrays.copyOf(
                (new String(JSON, StandardCharsets.UTF_8).repeat(7)).getBytes(StandardCharsets.UTF_8),
                WholeBodyDeflater.MAX_INPUT);

        for (int at = 0; at < body.length; at += 100) {
            out.write(body, at, Math.min(100, body.length - at)); // the held copy grows from 4 KiB to 32 KiB
        }
        out.close();

        assertThat(gunzip(wire.toByteArray())).isEqualTo(body);
        assertThat(pool.created()).as("no zlib deflater").isZero();
        assertThat(whole.poll()).as("the encoder went back to its pool").isNotNull();
    }

    @Test
    void aBodyThatOutgrowsTheSmallEncoderIsFedToZlibFromItsFirstByte() throws IOException {
        DeflaterPool pool = compression.gzipPool();
        IdleStack<WholeBodyDeflater> small = new IdleStack<>(4);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        OutputStream out = new DeflatingOutputStream(wire, pool, true, small);
        byte[] body = (new String(JSON, StandardCharsets.UTF_8).repeat(8)).getBytes(StandardCharsets.UTF_8);
        int first = WholeBodyDeflater.MAX_INPUT - 1000;
        assertThat(body.length).isGreaterThan(WholeBodyDeflater.MAX_INPUT);

        out.write(body, 0, first);
        out.write(body, first, body.length - first);
        out.close();

        assertThat(gunzip(wire.toByteArray())).isEqualTo(body);
        assertThat(pool.created()).isEqualTo(1);
        assertThat(small.poll()).as("the small encoder went back to its pool").isNotNull();
    }
}
