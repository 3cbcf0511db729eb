package dev.gatehouse.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.Test;

class UpstreamFieldsTest {
    private static Set<String> names(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return set;
    }

    private static final HttpFields CLIENT = HttpFields.build()
            .add("Host", "example.test")
            .add("Accept", "text/plain")
            .add("x-user-id", "admin")
            .add("X-USER-ID", "root")
            .asImmutable();

    @Test
    void theClientsFieldsAreSharedUncopiedWhenNoPolicyChangedThem() {
        HttpFields upstream = UpstreamFields.of(CLIENT, Set.of(), Headers.create(), -1);

        assertThat(upstream).isSameAs(CLIENT);
    }

    @Test
    void aNameAPolicySetReplacesTheClientsFieldsInAnyLetterCase() {
        Headers exchange = Headers.create().add("Accept", "text/plain").add("X-User-Id", "user-42");

        HttpFields upstream = UpstreamFields.of(CLIENT, names("X-User-Id"), exchange, -1);

        assertThat(upstream.getValuesList("x-user-id")).containsExactly("user-42");
        assertThat(upstream.get(HttpHeader.ACCEPT)).isEqualTo("text/plain");
        assertThat(upstream.get(HttpHeader.HOST)).isEqualTo("example.test");
    }

    @Test
    void aNameAPolicyRemovedIsGone() {
        HttpFields upstream = UpstreamFields.of(CLIENT, names("x-user-id"), Headers.create(), -1);

        assertThat(upstream.contains("X-User-Id")).isFalse();
        assertThat(upstream.size()).isEqualTo(2);
    }

    @Test
    void aBufferedBodyIsStatedWithItsLengthAndWithoutTransferEncoding() {
        HttpFields chunked = HttpFields.build()
                .add("Host", "example.test")
                .add(HttpHeader.TRANSFER_ENCODING, "chunked")
                .asImmutable();

        HttpFields upstream = UpstreamFields.of(chunked, Set.of(), Headers.create(), 60);

        assertThat(upstream.get(HttpHeader.CONTENT_LENGTH)).isEqualTo("60");
        assertThat(upstream.contains(HttpHeader.TRANSFER_ENCODING)).isFalse();
    }

    @Test
    void aGetWhoseEmptyBodyAPolicyBufferedGainsNoLength() {
        HttpFields upstream = UpstreamFields.of(CLIENT, Set.of(), Headers.create(), 0);

        assertThat(upstream).isSameAs(CLIENT);
    }

    @Test
    void connectionLosesTheTokensNamingEditedAndFramingFieldsAndKeepsTheRest() {
        HttpFields client = HttpFields.build()
                .add("Connection", "close, X-User-Id")
                .add("Connection", "content-length, X-Hop, Upgrade")
                .add("X-User-Id", "admin")
                .asImmutable();
        Headers exchange = Headers.create().add("X-User-Id", "user-42");

        HttpFields upstream = UpstreamFields.of(client, names("X-User-Id"), exchange, -1);

        assertThat(upstream.getValuesList(HttpHeader.CONNECTION)).containsExactly("close", "X-Hop, Upgrade");
        assertThat(upstream.getValuesList("X-User-Id")).containsExactly("user-42");
    }

    @Test
    void aConnectionHeaderNamingOnlyProtectedFieldsIsDropped() {
        HttpFields client = HttpFields.build()
                .add("Connection", "Content-Length, host")
                .add("Content-Length", "3")
                .asImmutable();

        HttpFields upstream = UpstreamFields.of(client, Set.of(), Headers.create(), -1);

        assertThat(upstream.contains(HttpHeader.CONNECTION)).isFalse();
        assertThat(upstream.get(HttpHeader.CONTENT_LENGTH)).isEqualTo("3");
    }
}
