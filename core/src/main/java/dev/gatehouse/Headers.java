package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;

import dev.gatehouse.internal.FieldSyntax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An ordered list of HTTP header fields whose names compare case-insensitively.
 *
 * <p>Names must be RFC 9110 tokens; values must not contain CR, LF, NUL or other control characters
 * (horizontal tab excepted), so a value that came from a client or a token claim can never split a
 * header section. Instances are mutable unless obtained from {@link #immutableCopy()}; they are not
 * thread-safe.
 */
public final class Headers {
    private static final Headers EMPTY = new Headers(new String[0], 0, true);

    /** Names and values interleaved: name0, value0, name1, value1, ... */
    private String[] fields;

    private int size;
    private final boolean immutable;

    private Headers(String[] fields, int size, boolean immutable) {
        this.fields = fields;
        this.size = size;
        this.immutable = immutable;
    }

    /** A new, empty, mutable list. */
    public static Headers create() {
        return new Headers(new String[8], 0, false);
    }

    /** The empty immutable list. */
    public static Headers empty() {
        return EMPTY;
    }

    /** An immutable list of the given names and values, alternating: {@code of("Vary", "Origin", ...)}. */
    public static Headers of(String... namesAndValues) {
        checkArgument(
                namesAndValues.length % 2 == 0,
                "namesAndValues: %s strings (expected: name, value pairs)",
                namesAndValues.length);
        String[] fields = namesAndValues.clone();
        for (int i = 0; i < fields.length; i += 2) {
            checkValue(checkName(fields[i]), fields[i + 1]);
        }
        return fields.length == 0 ? EMPTY : new Headers(fields, fields.length / 2, true);
    }

    /** The number of fields (a name with two values counts twice). */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public String name(int index) {
        return fields[2 * checkIndex(index)];
    }

    public String value(int index) {
        return fields[2 * checkIndex(index) + 1];
    }

    /** The position in {@code fields} of the first field with this name, or -1. */
    private int indexOf(String name) {
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The first value of the named field. */
    public Optional<String> first(String name) {
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                return Optional.of(fields[i + 1]);
            }
        }
        return Optional.empty();
    }

    /** Every value of the named field, in order; empty when absent. */
    public List<String> all(String name) {
        List<String> values = null;
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(fields[i + 1]);
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** How many fields carry this name, in any letter case. */
    public int count(String name) {
        int count = 0;
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                count++;
            }
        }
        return count;
    }

    public boolean contains(String name) {
        return count(name) > 0;
    }

    /** The distinct names in first-seen order, each in the letter case it was first added with. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < 2 * size; i += 2) {
            if (indexOf(fields[i]) == i) {
                names.add(fields[i]);
            }
        }
        return Collections.unmodifiableSet(names);
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < 2 * size; i += 2) {
            action.accept(fields[i], fields[i + 1]);
        }
    }

    /** Appends a field, keeping any fields of the same name. */
    public Headers add(String name, String value) {
        checkMutable();
        checkName(name);
        checkValue(name, value);
        return append(name, value);
    }

    /** Appends a field whose name and value have been checked, to mutable headers. */
    private Headers append(String name, String value) {
        if (2 * size == fields.length) {
            fields = Arrays.copyOf(fields, Math.max(8, fields.length * 2));
        }
        fields[2 * size] = name;
        fields[2 * size + 1] = value;
        size++;
        return this;
    }

    /** Replaces every field of this name, in any letter case, with one field. */
    public Headers set(String name, String value) {
        checkValue(name, value);
        remove(name);
        // remove() checked that these headers are mutable; the value is checked once.
        return append(checkName(name), value);
    }

    /** Replaces every field of this name, in any letter case, with the given values (none removes it). */
    public Headers set(String name, List<String> values) {
        for (String value : values) {
            checkValue(name, value);
        }
        remove(name);
        for (String value : values) {
            add(name, value);
        }
        return this;
    }

    /** Removes every field of this name, in any letter case; true if there was one. */
    public boolean remove(String name) {
        checkMutable();
        int first = indexOf(name);
        if (first < 0) {
            return false;
        }
        int kept = first / 2;
        for (int i = kept; i < size; i++) {
            if (!fields[2 * i].equalsIgnoreCase(name)) {
                fields[2 * kept] = fields[2 * i];
                fields[2 * kept + 1] = fields[2 * i + 1];
                kept++;
            }
        }
        boolean removed = kept < size;
        Arrays.fill(fields, 2 * kept, 2 * size, null);
        size = kept;
        return removed;
    }

    /** Adds every field of {@code other} after the fields already here. */
    public Headers addAll(Headers other) {
        checkMutable();
        int needed = 2 * (size + other.size);
        if (needed > fields.length) {
            fields = Arrays.copyOf(fields, Math.max(needed, 2 * fields.length));
        }
        // Fields of another instance were checked when they were added there.
        System.arraycopy(other.fields, 0, fields, 2 * size, 2 * other.size);
        size += other.size;
        return this;
    }

    /**
     * Replaces the fields of every name in {@code other} (in any letter case) with the fields {@code other}
     * has for it: what a {@link Decision.Proceed} does to the request.
     */
    public Headers setAll(Headers other) {
        for (int i = 0; i < other.size; i++) {
            remove(other.fields[2 * i]);
        }
        return addAll(other);
    }

    /** A mutable copy. */
    public Headers copy() {
        return new Headers(Arrays.copyOf(fields, Math.max(8, 2 * size)), size, false);
    }

    /** An immutable snapshot; this instance itself when it is already immutable. */
    public Headers immutableCopy() {
        if (immutable) {
            return this;
        }
        return size == 0 ? EMPTY : new Headers(Arrays.copyOf(fields, 2 * size), size, true);
    }

    public boolean isImmutable() {
        return immutable;
    }

    /**
     * Checks that {@code name} is an RFC 9110 token.
     *
     * @throws IllegalArgumentException naming the offending character position, never echoing the name
     */
    public static String checkName(String name) {
        return FieldSyntax.checkName(name);
    }

    /**
     * Checks that {@code value} holds no CR, LF, NUL or other control character but horizontal tab.
     *
     * @throws IllegalArgumentException naming the header and the position, never echoing the value
     */
    public static String checkValue(String name, String value) {
        return FieldSyntax.checkValue(name, value);
    }

    private void checkMutable() {
        if (immutable) {
            throw new UnsupportedOperationException("these headers are immutable; copy() them first");
        }
    }

    private int checkIndex(int index) {
        return java.util.Objects.checkIndex(index, size);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Headers that) || that.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!fields[2 * i].equalsIgnoreCase(that.fields[2 * i])
                    || !fields[2 * i + 1].equals(that.fields[2 * i + 1])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = 0; i < size; i++) {
            hash = 31 * hash + fields[2 * i].toLowerCase(java.util.Locale.ROOT).hashCode();
            hash = 31 * hash + fields[2 * i + 1].hashCode();
        }
        return hash;
    }

    /** Names and values; values of credential-bearing fields are not shown. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            String name = fields[2 * i];
            boolean secret = name.equalsIgnoreCase("Authorization")
                    || name.equalsIgnoreCase("Cookie")
                    || name.equalsIgnoreCase("Set-Cookie")
                    || name.equalsIgnoreCase("Proxy-Authorization");
            text.append(i == 0 ? "" : ", ").append(name).append(": ").append(secret ? "<redacted>" : fields[2 * i + 1]);
        }
        return text.append(']').toString();
    }
}
