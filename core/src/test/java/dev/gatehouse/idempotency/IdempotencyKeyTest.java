package dev.gatehouse.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REQUIREMENTS.md §2 item 2: the key is an sf-string Item (RFC 8941), leniently a token. */
class IdempotencyKeyTest {
    static Optional<String> parse(String field) {
        return IdempotencyKey.parse(field).map(IdempotencyKey::value);
    }

    @Test
    void keySyntaxLimitsAndTheUnquotedTokenChoice() {
        assertThat(parse("\"" + "k".repeat(255) + "\"")).hasValue("k".repeat(255));
        assertThat(parse("\"" + "k".repeat(256) + "\"")).isEmpty();
        assertThat(parse("\"a\\\"b\\\\c\"")).hasValue("a\"b\\c");
        assertThat(parse("8e03978e-40d5-43e8")).isEmpty();
        assertThat(parse("order-8e03978e")).hasValue("order-8e03978e");
        assertThat(parse("\"*:weird key:*\"")).hasValue("*:weird key:*");
    }

    @Test
    void aStringItemWithParametersIsTheStringAndTheParametersAreIgnored() {
        assertThat(parse("\"abc\";p=1")).hasValue("abc");
        assertThat(parse("\"abc\";p=1;q")).hasValue("abc");
        assertThat(parse("\"abc\"; a=?1;b=\"x;y\";c=tok/en;d=-1.5;e=:AQID:;*f=*"))
                .hasValue("abc");
        assertThat(parse("order-1;p=1")).hasValue("order-1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"abc\";",
                "\"abc\";P=1",
                "\"abc\";1p=1",
                "\"abc\" ;p=1",
                "\"abc\";p=",
                "\"abc\";p=?2",
                "\"abc\";p=1.2345",
                "\"abc\";p=:not base64!:",
                "\"abc\";p=\"unterminated",
                "\"abc\",\"def\"",
                "\"abc\" trailing"
            })
    void malformedParametersOrAnythingAfterTheItemAreRefused(String field) {
        assertThat(IdempotencyKey.parse(field)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "\"\"", "\"caf\u00e9\"", "\"tab\tinside\"", "\"bad\\escape\"", "1abc"})
    void emptyNonAsciiAndMalformedValuesAreRefused(String field) {
        assertThat(IdempotencyKey.parse(field)).isEmpty();
    }

    @Test
    void surroundingSpacesAreNotPartOfTheKey() {
        assertThat(parse("  \"abc\"  ")).hasValue("abc");
    }

    @Test
    void aKeyIsValidatedWhenBuiltDirectly() {
        assertThat(new IdempotencyKey("a b").value()).isEqualTo("a b");
        assertThatThrownBy(() -> new IdempotencyKey(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1..255 printable ASCII characters");
        assertThatThrownBy(() -> new IdempotencyKey("k".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdempotencyKey("caf\u00e9")).isInstanceOf(IllegalArgumentException.class);
    }
}
