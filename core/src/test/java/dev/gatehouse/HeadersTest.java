package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void namesCompareCaseInsensitivelyAndKeepTheirSpelling() {
        Headers headers = Headers.create().add("X-Request-Id", "a").add("x-request-id", "b");

        assertThat(headers.all("X-REQUEST-ID")).containsExactly("a", "b");
        assertThat(headers.first("x-Request-ID")).hasValue("a");
        assertThat(headers.names()).containsExactly("X-Request-Id");
    }

    @Test
    void setReplacesEveryFieldOfTheNameInAnyLetterCase() {
        Headers headers = Headers.create()
                .add("x-user-id", "spoofed")
                .add("X-USER-ID", "again")
                .add("Accept", "*/*");

        headers.set("X-User-Id", "42");

        assertThat(headers.all("X-User-Id")).containsExactly("42");
        assertThat(headers.size()).isEqualTo(2);
    }

    @Test
    void refusesValuesThatCouldSplitTheHeaderSection() {
        Headers headers = Headers.create();

        for (String value : new String[] {"user\r\nX-Admin: true", "a\nb", "a\rb", "a\0b", "a\u007fb"}) {
            assertThatThrownBy(() -> headers.add("X-User-Id", value))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("X-User-Id: control character")
                    .hasMessageNotContaining("X-Admin");
        }
        assertThat(headers.isEmpty()).isTrue();
    }

    @Test
    void refusesNamesThatAreNotTokens() {
        for (String name : new String[] {"", "X User", "X:Y", "X\r\nY", "Ä"}) {
            assertThatThrownBy(() -> Headers.create().add(name, "v")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void acceptsTabsAndObsTextInValues() {
        Headers headers = Headers.create().add("X-Note", "a\tb é");

        assertThat(headers.first("X-Note")).hasValue("a\tb é");
    }

    @Test
    void immutableCopiesRefuseChangesAndDoNotFollowTheOriginal() {
        Headers original = Headers.create().add("A", "1");
        Headers snapshot = original.immutableCopy();
        original.add("B", "2");

        assertThat(snapshot.size()).isEqualTo(1);
        assertThatThrownBy(() -> snapshot.add("C", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void removeTakesEveryLetterCaseAndReportsWhetherItFoundOne() {
        Headers headers =
                Headers.of("Via", "1.1 a", "VIA", "1.1 b", "Host", "h").copy();

        assertThat(headers.remove("via")).isTrue();
        assertThat(headers.remove("via")).isFalse();
        assertThat(headers.names()).containsExactly("Host");
    }

    @Test
    void toStringRedactsCredentials() {
        Headers headers =
                Headers.of("Authorization", "Bearer secret-token", "Cookie", "session=secret", "Accept", "*/*");

        assertThat(headers.toString()).doesNotContain("secret").contains("Accept: */*");
    }

    @Test
    void removeTakesEveryFieldOfTheNameAndKeepsTheOthersInOrder() {
        Headers headers = Headers.create()
                .add("A", "1")
                .add("B", "2")
                .add("c", "3")
                .add("b", "4")
                .add("D", "5");

        assertThat(headers.remove("B")).isTrue();
        assertThat(headers.remove("X")).isFalse();

        assertThat(headers).isEqualTo(Headers.of("A", "1", "c", "3", "D", "5"));
    }

    /** A host's own field list, as the Jetty core host lends its response fields. */
    private static final class HostFields implements Headers.Store {
        final java.util.List<String[]> fields = new java.util.ArrayList<>();

        @Override
        public int size() {
            return fields.size();
        }

        @Override
        public String name(int index) {
            return fields.get(index)[0];
        }

        @Override
        public String value(int index) {
            return fields.get(index)[1];
        }

        @Override
        public void add(String name, String value) {
            fields.add(new String[] {name, value});
        }

        @Override
        public boolean remove(String name) {
            return fields.removeIf(field -> field[0].equalsIgnoreCase(name));
        }
    }

    @Test
    void headersOverAHostsFieldsReadAndEditThemInPlaceAndCheckWhatIsWritten() {
        HostFields host = new HostFields();
        host.add("content-type", "text/plain");
        host.add("Set-Cookie", "a=1");
        host.add("set-cookie", "b=2");
        Headers headers = Headers.over(host);

        assertThat(headers.all("SET-COOKIE")).containsExactly("a=1", "b=2");
        headers.set("Content-Type", "application/json").remove("Set-Cookie");
        headers.add("X-Request-Id", "r1");

        assertThat(host.fields)
                .extracting(field -> field[0] + ": " + field[1])
                .containsExactly("Content-Type: application/json", "X-Request-Id: r1");
        assertThatThrownBy(() -> headers.add("X-User-Id", "1\r\nX-Admin: true"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(host.fields).hasSize(2);
        Headers copy = headers.copy();
        headers.remove("X-Request-Id");
        assertThat(copy).isEqualTo(Headers.of("Content-Type", "application/json", "X-Request-Id", "r1"));
        assertThat(headers.addAll(copy).all("x-request-id")).containsExactly("r1");
    }
}
