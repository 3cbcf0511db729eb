package dev.gatehouse.jetty;

import dev.gatehouse.Headers;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's own fields as the store of the headers the policies see ({@link Headers#over}), so that nothing is copied
 * to show them and nothing written back after. A response's fields are edited in place ({@link #of}); a request's
 * are the client's until the policies' first edit copies them, once, into fields of the exchange's own, which the
 * service gets ({@link #copiedOnEdit}, {@link UpstreamFields}). A request no policy edits is never copied.
 */
final class JettyFields implements Headers.Store {
    private HttpFields fields;
    private HttpFields.@Nullable Mutable edited;

    private JettyFields(HttpFields fields, HttpFields.@Nullable Mutable edited) {
        this.fields = fields;
        this.edited = edited;
    }

    /** A response's fields, read and edited in place. */
    static JettyFields of(HttpFields.Mutable fields) {
        return new JettyFields(fields, fields);
    }

    /**
     * A request's fields: {@code client}'s until the first edit. They are checked as {@link Headers#add} checks what
     * policies write: names are tokens, values hold no control character but horizontal tab.
     *
     * @throws IllegalArgumentException naming the field that is not
     */
    static JettyFields copiedOnEdit(HttpFields client) {
        for (int i = 0; i < client.size(); i++) {
            HttpField field = client.getField(i);
            String value = field.getValue();
            Headers.checkValue(Headers.checkName(field.getName()), value == null ? "" : value);
        }
        return new JettyFields(client, null);
    }

    /** The fields as the policies left them: for a request, the client's own unless a policy edited them. */
    HttpFields fields() {
        return fields;
    }

    @Override
    public int size() {
        return fields.size();
    }

    @Override
    public String name(int index) {
        return fields.getField(index).getName();
    }

    @Override
    public String value(int index) {
        String value = fields.getField(index).getValue();
        return value == null ? "" : value;
    }

    @Override
    public void add(String name, String value) {
        mutable().add(name, value);
    }

    @Override
    public boolean remove(String name) {
        if (!contains(name)) {
            return false;
        }
        mutable().remove(name); // every field of the name, in any letter case (HttpField.is)
        return true;
    }

    private boolean contains(String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.getField(i).getName().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private HttpFields.Mutable mutable() {
        if (edited == null) {
            edited = HttpFields.build(fields);
            fields = edited;
        }
        return edited;
    }
}
