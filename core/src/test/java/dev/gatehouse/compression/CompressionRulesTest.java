package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.testing.FakeExchange;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompressionRulesTest {
    final CompressionRules rules = new CompressionRules(
            List.of("text/*", "application/json", "*/*+json"), List.of("text/event-stream"), List.of("gzip", "br"));

    static ResponseHead response(int status, String... headers) {
        return ResponseHead.of(status, Headers.of(headers));
    }

    @Test
    void mediaTypesMatchExactlyByTypeOrBySuffixAndSkipTypesWin() {
        assertThat(rules.compressible("text/html")).isTrue();
        assertThat(rules.compressible("application/json")).isTrue();
        assertThat(rules.compressible("application/problem+json")).isTrue();
        assertThat(rules.compressible("text/event-stream")).isFalse();
        assertThat(rules.compressible("image/png")).isFalse();
    }

    @Test
    void onlyCompressibleUnencodedTransformableRepresentationsAreEligible() {
        FakeExchange get = FakeExchange.get("/");

        assertThat(rules.eligible(get, response(200, "Content-Type", "application/json; charset=utf-8")))
                .isTrue();
        assertThat(rules.eligible(get, response(304))).isTrue();
        assertThat(rules.eligible(get, response(204, "Content-Type", "text/plain")))
                .isFalse();
        assertThat(rules.eligible(get, response(206, "Content-Type", "text/plain")))
                .isFalse();
        assertThat(rules.eligible(get, response(200, "Content-Type", "text/plain", "Content-Encoding", "br")))
                .isFalse();
        assertThat(rules.eligible(get, response(200, "Content-Type", "text/plain", "Cache-Control", "no-transform")))
                .isFalse();
        assertThat(rules.eligible(FakeExchange.get("/").header("Range", "bytes=0-9"), response(200)))
                .isFalse();
        assertThat(rules.eligible(get, response(200))).as("no Content-Type").isFalse();
    }

    @Test
    void strongEntityTagsGetTheCodingAndLoseItOnTheWayBack() {
        assertThat(CompressionRules.withCoding("\"v1\"", "gzip")).isEqualTo("\"v1--gzip\"");
        assertThat(CompressionRules.withCoding("W/\"v1\"", "gzip")).isEqualTo("W/\"v1\"");
        assertThat(rules.stripCodingSuffixes("\"v1--gzip\", \"v2--br\", \"v3\""))
                .isEqualTo("\"v1\", \"v2\", \"v3\"");
    }
}
