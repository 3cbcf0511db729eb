package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9110 §12.5.3, with the traps other gateways fell into (REQUIREMENTS.md §4 items 1–2). */
class AcceptEncodingTest {
    static final List<String> SERVER = List.of("gzip", "deflate");

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "gzip | gzip",
                "GZIP | gzip",
                "x-gzip | gzip",
                "deflate | deflate",
                "gzip, deflate, br | gzip",
                "deflate, gzip | gzip",
                "gzip;q=0.5, deflate | deflate",
                "gzip;q=0.5, deflate;q=0.8 | deflate",
                "gzip;q=0 | identity",
                "gzip;q=0.000 | identity",
                "gzip;Q=0 | identity",
                "gzip ; q=0 | identity",
                "gzip;q=0, * | deflate",
                "gzip;q=0, deflate;q=0, * | identity",
                "* | gzip",
                "*;q=0 | identity",
                "*;q=0, identity | identity",
                "notgzip | identity",
                "pack200-gzip | identity",
                "gzipx, deflatey | identity",
                "br, zstd | identity",
                "identity | identity",
                "gzip;q=1.5 | identity",
                "gzip;q=abc, deflate | deflate",
                "gzip;q=0.001 | gzip",
                "'' | identity"
            })
    void selects(String header, String expected) {
        Optional<String> selected = AcceptEncoding.parse(List.of(header)).select(SERVER);

        assertThat(selected.orElse("identity")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {"gzip;q=0 | deflate | deflate", "br | gzip;q=0.1 | gzip", "deflate;q=0.2 | gzip;q=0 | deflate"})
    void severalFieldLinesAreOneList(String first, String second, String expected) {
        assertThat(AcceptEncoding.parse(List.of(first, second)).select(SERVER)).hasValue(expected);
    }

    @ParameterizedTest(name = "absent -> identity")
    @CsvSource("unused")
    void noFieldMeansIdentity(String unused) {
        assertThat(AcceptEncoding.parse(List.of()).select(SERVER)).isEmpty();
    }
}
