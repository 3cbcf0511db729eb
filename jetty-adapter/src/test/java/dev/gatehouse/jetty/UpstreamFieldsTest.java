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
        JettyFields fields = JettyFields.copiedOnEdit(CLIENT);
        Headers exchange = Headers.over(fields);

        assertThat(exchange.all("X-User-Id")).containsExactly("admin", "root");
        assertThat(exchange.remove("X-Scopes")).isFalse();
        HttpFields upstream = UpstreamFields.of(fields.fields(), Set.of(), -1);

        assertThat(upstream).isSameAs(CLIENT);
    }

    @Test
    void aNameAPolicySetReplacesTheClientsFieldsInAnyLetterCaseAndTheClientsStayAsTheyWere() {
        JettyFields fields = JettyFields.copiedOnEdit(CLIENT);
        Headers.over(fields).set("X-User-Id", "user-42");

        HttpFields upstream = UpstreamFields.of(fields.fields(), names("X-User-Id"), -1);

        assertThat(upstream.getValuesList("x-user-id")).containsExactly("user-42");
        assertThat(upstream.get(HttpHeader.ACCEPT)).isEqualTo("text/plain");
        assertThat(upstream.get(HttpHeader.HOST)).isEqualTo("example.test");
        assertThat(CLIENT.getValuesList("X-User-Id")).containsExactly("admin", "root");
    }

    @Test
    void aNameAPolicyRemovedIsGone() {
        JettyFields fields = JettyFields.copiedOnEdit(CLIENT);
        assertThat(Headers.over(fields).remove("x-user-id")).isTrue();

        HttpFields upstream = UpstreamFields.of(fields.fields(), names("x-user-id"), -1);

        assertThat(upstream.contains("X-User-Id")).isFalse();
        assertThat(upstream.size()).isEqualTo(2);
    }

    @Test
    void clientFieldsThatCoreWouldRefuseAreRefusedUpFront() {
        HttpFields control = HttpFields.build().add("X-Note", "a\u0001b").asImmutable();

        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> JettyFields.copiedOnEdit(control))
                .withMessageContaining("X-Note");
    }

    @Test
    void aBufferedBodyIsStatedWithItsLengthAndWithoutTransferEncoding() {
        HttpFields chunked = HttpFields.build()
                .add("Host", "example.test")
                .add(HttpHeader.TRANSFER_ENCODING, "chunked")
                .asImmutable();

        HttpFields upstream = UpstreamFields.of(chunked, Set.of(), 60);

        assertThat(upstream.get(HttpHeader.CONTENT_LENGTH)).isEqualTo("60");
        assertThat(upstream.contains(HttpHeader.TRANSFER_ENCODING)).isFalse();
    }

    @Test
    void aGetWhoseEmptyBodyAPolicyBufferedGainsNoLength() {
        HttpFields upstream = UpstreamFields.of(CLIENT, Set.of(), 0);

        assertThat(upstream).isSameAs(CLIENT);
    }

    @Test
    void connectionLosesTheTokensNamingEditedAndFramingFieldsAndKeepsTheRest() {
        HttpFields client = HttpFields.build()
                .add("Connection", "close, X-User-Id")
                .add("Connection", "content-length, X-Hop, Upgrade")
                .add("X-User-Id", "admin")
                .asImmutable();
        JettyFields fields = JettyFields.copiedOnEdit(client);
        Headers.over(fields).set("X-User-Id", "user-42");

        HttpFields upstream = UpstreamFields.of(fields.fields(), names("X-User-Id"), -1);

        assertThat(upstream.getValuesList(HttpHeader.CONNECTION)).containsExactly("close", "X-Hop, Upgrade");
        assertThat(upstream.getValuesList("X-User-Id")).containsExactly("user-42");
    }

    @Test
    void aConnectionHeaderNamingOnlyProtectedFieldsIsDropped() {
        HttpFields client = HttpFields.build()
                .add("Connection", "Content-Length, host")
                .add("Content-Length", "3")
                .asImmutable();

        HttpFields upstream = UpstreamFields.of(client, Set.of(), -1);

        assertThat(upstream.contains(HttpHeader.CONNECTION)).isFalse();
        assertThat(upstream.get(HttpHeader.CONTENT_LENGTH)).isEqualTo("3");
    }
}
