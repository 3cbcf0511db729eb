package dev.gatehouse.jetty;

import dev.gatehouse.Headers;
import java.util.ListIterator;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * Jetty's own response fields as the store of the head the policies edit: read and changed in place, so that
 * committing copies nothing, compares nothing and writes nothing back.
 */
final class LiveFields implements Headers.Store {
    private final HttpFields.Mutable fields;

    LiveFields(HttpFields.Mutable fields) {
        this.fields = fields;
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
        fields.add(name, value);
    }

    @Override
    public boolean remove(String name) {
        boolean removed = false;
        for (ListIterator<HttpField> i = fields.listIterator(); i.hasNext(); ) {
            if (i.next().getName().equalsIgnoreCase(name)) {
                i.remove();
                removed = true;
            }
        }
        return removed;
    }
}
