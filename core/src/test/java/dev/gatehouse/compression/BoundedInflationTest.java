package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedInflationTest {
    @Test
    void undoesStackedCodingsLastAppliedFirst() throws Exception {
        byte[] original = RequestDecompressionTest.ORIGINAL;
        byte[] wire = RequestDecompressionTest.gzip(RequestDecompressionTest.zlib(original));

        byte[] inflated =
                new BoundedInflation(wire.length, 8 * 1024 * 1024, 100).decode(List.of("deflate", "gzip"), wire);

        assertThat(inflated).isEqualTo(original);
    }

    @Test
    void theCapIsTheSmallerOfTheMaximumAndTheRatioTimesTheWireSize() throws IOException {
        byte[] zeros = RequestDecompressionTest.gzip(new byte[64 * 1024]);

        assertThatThrownBy(() -> new BoundedInflation(zeros.length, 1_000_000, 10).decode(List.of("gzip"), zeros))
                .isInstanceOfSatisfying(BoundedInflation.Refusal.class, refusal -> {
                    assertThat(refusal.status).isEqualTo(413);
                    assertThat(refusal.getMessage())
                            .startsWith(
                                    "inflated body over " + 10L * zeros.length + " bytes (max 1000000, ratio 10:1)");
                });
        assertThatThrownBy(() -> new BoundedInflation(zeros.length, 1000, 10_000).decode(List.of("gzip"), zeros))
                .isInstanceOfSatisfying(
                        BoundedInflation.Refusal.class,
                        refusal -> assertThat(refusal.getMessage()).startsWith("inflated body over 1000 bytes"));
    }

    @Test
    void malformedStreamsAre400() {
        assertThatThrownBy(() -> new BoundedInflation(3, 1000, 100).decode(List.of("gzip"), new byte[] {1, 2, 3}))
                .isInstanceOfSatisfying(BoundedInflation.Refusal.class, refusal -> {
                    assertThat(refusal.status).isEqualTo(400);
                    assertThat(refusal.getMessage()).isEqualTo("not a gzip stream");
                });
    }
}
