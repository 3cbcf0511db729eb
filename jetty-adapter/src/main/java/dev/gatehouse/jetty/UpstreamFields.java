package dev.gatehouse.jetty;

import java.util.Set;
import java.util.StringJoiner;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;

/**
 * The request fields the service sees, made once per request from the fields as the policies left them (their edits
 * are in them already, see {@link JettyFields}), and only when something is left to change:
 * <ul>
 *   <li>a body a policy buffered or replaced is stated with its {@code Content-Length}, without {@code
 *       Transfer-Encoding} (an empty body the client did not frame stays unframed: a GET gains no length);
 *   <li>the client's {@code Connection} header loses the tokens that name fields a policy set or removed, or the
 *       framing fields, so that nothing behind the host (a reverse proxy removing hop-by-hop fields, say) can drop
 *       them on the client's word.
 * </ul>
 * Otherwise the fields are returned as they are. Fields that are kept are shared, not copied.
 */
final class UpstreamFields {
    private static final String[] FRAMING = {"Content-Length", "Transfer-Encoding", "Host"};

    private UpstreamFields() {}

    /**
     * @param fields the request's fields after the policies: the client's own when no policy edited them
     * @param edited the names policies set or removed; {@code contains} ignores letter case
     * @param bodyLength the length of a buffered or replaced body, or -1 when the body streams from the client
     */
    static HttpFields of(HttpFields fields, Set<String> edited, long bodyLength) {
        boolean reframed = bodyLength > 0
                || bodyLength == 0
                        && (fields.contains(HttpHeader.CONTENT_LENGTH)
                                || fields.contains(HttpHeader.TRANSFER_ENCODING));
        if (!reframed && !listsProtectedField(fields, edited)) {
            return fields instanceof HttpFields.Mutable copy ? copy.asImmutable() : fields;
        }
        HttpFields.Mutable upstream = HttpFields.build(fields.size() + 1);
        for (int i = 0; i < fields.size(); i++) {
            HttpField field = fields.getField(i);
            HttpHeader header = field.getHeader();
            if (reframed && (header == HttpHeader.CONTENT_LENGTH || header == HttpHeader.TRANSFER_ENCODING)) {
                continue;
            }
            HttpField kept = header == HttpHeader.CONNECTION ? withoutProtectedTokens(field, edited) : field;
            if (kept != null) {
                upstream.add(kept);
            }
        }
        if (reframed) {
            upstream.put(HttpHeader.CONTENT_LENGTH, bodyLength);
        }
        return upstream.asImmutable();
    }

    private static boolean listsProtectedField(HttpFields client, Set<String> edited) {
        for (int i = 0; i < client.size(); i++) {
            HttpField field = client.getField(i);
            if (field.getHeader() == HttpHeader.CONNECTION && withoutProtectedTokens(field, edited) != field) {
                return true;
            }
        }
        return false;
    }

    /** The field itself when it lists no protected name; a copy without them; null when nothing is left. */
    private static @Nullable HttpField withoutProtectedTokens(HttpField connection, Set<String> edited) {
        String[] tokens = connection.getValues();
        StringJoiner kept = null;
        for (int i = 0; i < tokens.length; i++) {
            if (isProtected(tokens[i], edited)) {
                if (kept == null) {
                    kept = new StringJoiner(", ");
                    for (int j = 0; j < i; j++) {
                        kept.add(tokens[j]);
                    }
                }
            } else if (kept != null) {
                kept.add(tokens[i]);
            }
        }
        if (kept == null) {
            return connection;
        }
        return kept.length() == 0 ? null : new HttpField(HttpHeader.CONNECTION, kept.toString());
    }

    private static boolean isProtected(String token, Set<String> edited) {
        if (edited.contains(token)) {
            return true;
        }
        for (String framing : FRAMING) {
            if (framing.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }
}
