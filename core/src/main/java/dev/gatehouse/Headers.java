package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.internal.FieldSyntax;
import dev.gatehouse.internal.NameSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An ordered list of HTTP header fields whose names compare case-insensitively.
 *
 * <p>Names must be RFC 9110 tokens; values must not contain CR, LF, NUL or other control characters
 * (horizontal tab excepted), so a value that came from a client or a token claim can never split a
 * header section. Instances are mutable unless obtained from {@link #immutableCopy()}; they are not
 * thread-safe.
 *
 * <p>The fields live in an array of their own, or, for a host that lets policies edit its framework's fields in
 * place, in that host's {@link Store} ({@link #over}).
 */
public final class Headers {
    private static final Headers EMPTY = new Headers(new ArrayStore(new String[0], 0), true);

    private final Store store;
    private final boolean immutable;

    /** The edits since {@link #journal()}, for a {@link ResponseHead}; null when nobody asked. */
    private @Nullable Journal journal;

    private Headers(Store store, boolean immutable) {
        this.store = store;
        this.immutable = immutable;
    }

    /** A new, empty, mutable list. */
    public static Headers create() {
        return new Headers(new ArrayStore(new String[8], 0), false);
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
        return fields.length == 0 ? EMPTY : new Headers(new ArrayStore(fields, fields.length / 2), true);
    }

    /**
     * A mutable list over a host's own fields, read and edited in place: what a host hands the policies when its
     * framework's fields can be (the Jetty core host's request and response fields). Names and values written
     * through the list are checked as {@link #add} checks them; the host vouches for the fields already in {@code
     * store}.
     */
    public static Headers over(Store store) {
        return new Headers(requireNonNull(store, "store"), false);
    }

    /**
     * Where the fields of {@link #over} live: a host's own field list. Indexes run from 0 to {@code size() - 1} in
     * field order; names compare ignoring letter case.
     */
    public interface Store {
        int size();

        String name(int index);

        /** The field's value; never null (an empty value is {@code ""}). */
        String value(int index);

        /** Appends a field whose name and value have been checked. */
        void add(String name, String value);

        /** Removes every field of this name, in any letter case; true if there was one. */
        boolean remove(String name);
    }

    /** The number of fields (a name with two values counts twice). */
    public int size() {
        return store.size();
    }

    public boolean isEmpty() {
        return store.size() == 0;
    }

    public String name(int index) {
        return store.name(Objects.checkIndex(index, store.size()));
    }

    public String value(int index) {
        return store.value(Objects.checkIndex(index, store.size()));
    }

    /** The index of the first field with this name, or -1. */
    private int indexOf(String name) {
        Store fields = store;
        for (int i = 0, size = fields.size(); i < size; i++) {
            if (fields.name(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The first value of the named field. */
    public Optional<String> first(String name) {
        int index = indexOf(name);
        return index < 0 ? Optional.empty() : Optional.of(store.value(index));
    }

    /** Every value of the named field, in order; empty when absent. */
    public List<String> all(String name) {
        Store fields = store;
        List<String> values = null;
        for (int i = 0, size = fields.size(); i < size; i++) {
            if (fields.name(i).equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(fields.value(i));
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** How many fields carry this name, in any letter case. */
    public int count(String name) {
        Store fields = store;
        int count = 0;
        for (int i = 0, size = fields.size(); i < size; i++) {
            if (fields.name(i).equalsIgnoreCase(name)) {
                count++;
            }
        }
        return count;
    }

    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The distinct names in first-seen order, each in the letter case it was first added with. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0, size = store.size(); i < size; i++) {
            String name = store.name(i);
            if (indexOf(name) == i) {
                names.add(name);
            }
        }
        return Collections.unmodifiableSet(names);
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0, size = store.size(); i < size; i++) {
            action.accept(store.name(i), store.value(i));
        }
    }

    /** Appends a field, keeping any fields of the same name. */
    public Headers add(String name, String value) {
        checkMutable();
        checkName(name);
        checkValue(name, value);
        noteEdit(name);
        store.add(name, value);
        return this;
    }

    /** Replaces every field of this name, in any letter case, with one field. */
    public Headers set(String name, String value) {
        checkValue(name, value);
        remove(name);
        // remove() checked that these headers are mutable and noted the edit; the value is checked once.
        store.add(checkName(name), value);
        return this;
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
        noteEdit(name);
        return store.remove(name);
    }

    /** Adds every field of {@code other} after the fields already here. */
    public Headers addAll(Headers other) {
        checkMutable();
        Store from = other.store;
        for (int i = 0, size = from.size(); journal != null && i < size; i++) {
            noteEdit(from.name(i));
        }
        if (store instanceof ArrayStore to && from instanceof ArrayStore array) {
            to.addAll(array);
            return this;
        }
        // Fields of another instance were checked when they were added there, or vouched for by its host.
        for (int i = 0, size = from.size(); i < size; i++) {
            store.add(from.name(i), from.value(i));
        }
        return this;
    }

    /**
     * Replaces the fields of every name in {@code other} (in any letter case) with the fields {@code other}
     * has for it: what a {@link Decision.Proceed} does to the request.
     */
    public Headers setAll(Headers other) {
        for (int i = 0, size = other.size(); i < size; i++) {
            remove(other.store.name(i));
        }
        return addAll(other);
    }

    /** A mutable copy, in an array of its own. */
    public Headers copy() {
        return new Headers(ArrayStore.copyOf(store, 8), false);
    }

    /** An immutable snapshot; this instance itself when it is already immutable. */
    public Headers immutableCopy() {
        if (immutable) {
            return this;
        }
        return store.size() == 0 ? EMPTY : new Headers(ArrayStore.copyOf(store, 0), true);
    }

    public boolean isImmutable() {
        return immutable;
    }

    private void noteEdit(String name) {
        if (journal != null) {
            journal.note(name);
        }
    }

    /**
     * Starts recording, from now on, which names are edited and what values they had before: how a {@link
     * ResponseHead} knows what its policies changed without a copy of the whole list to compare with.
     */
    Journal journal() {
        checkMutable();
        journal = new Journal(this);
        return journal;
    }

    /** The names edited since {@link #journal()}, each with the fields it had before its first edit. */
    static final class Journal {
        private final Headers headers;
        private final NameSet names = new NameSet();
        private final Headers before = Headers.create();

        private Journal(Headers headers) {
            this.headers = headers;
        }

        private void note(String name) {
            if (names.add(name)) {
                Store fields = headers.store;
                for (int i = 0, size = fields.size(); i < size; i++) {
                    if (fields.name(i).equalsIgnoreCase(name)) {
                        before.store.add(fields.name(i), fields.value(i));
                    }
                }
            }
        }

        /**
         * The edited names whose values now differ from those before, in order, each in the spelling of its first
         * edit; {@code contains} ignores letter case. Nothing is allocated when no value changed.
         */
        Set<String> changed() {
            NameSet changed = null;
            for (int n = 0; n < names.size(); n++) {
                String name = names.get(n);
                if (!sameValues(before.store, headers.store, name)) {
                    if (changed == null) {
                        changed = new NameSet();
                    }
                    changed.add(name);
                }
            }
            return changed == null ? Set.of() : Collections.unmodifiableSet(changed);
        }

        /** Whether both lists have the same values for {@code name}, in the same order; no list is made. */
        private static boolean sameValues(Store a, Store b, String name) {
            int i = 0;
            int j = 0;
            int sizeA = a.size();
            int sizeB = b.size();
            while (true) {
                while (i < sizeA && !a.name(i).equalsIgnoreCase(name)) {
                    i++;
                }
                while (j < sizeB && !b.name(j).equalsIgnoreCase(name)) {
                    j++;
                }
                if (i == sizeA || j == sizeB) {
                    return i == sizeA && j == sizeB;
                }
                if (!a.value(i++).equals(b.value(j++))) {
                    return false;
                }
            }
        }
    }

    /** Fields in an array of their own: names and values interleaved, name0, value0, name1, value1, ... */
    private static final class ArrayStore implements Store {
        private String[] fields;
        private int size;

        ArrayStore(String[] fields, int size) {
            this.fields = fields;
            this.size = size;
        }

        static ArrayStore copyOf(Store store, int minimumCapacity) {
            int size = store.size();
            String[] fields = new String[Math.max(minimumCapacity, 2 * size)];
            if (store instanceof ArrayStore array) {
                System.arraycopy(array.fields, 0, fields, 0, 2 * size);
            } else {
                for (int i = 0; i < size; i++) {
                    fields[2 * i] = store.name(i);
                    fields[2 * i + 1] = store.value(i);
                }
            }
            return new ArrayStore(fields, size);
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public String name(int index) {
            return fields[2 * index];
        }

        @Override
        public String value(int index) {
            return fields[2 * index + 1];
        }

        @Override
        public void add(String name, String value) {
            if (2 * size == fields.length) {
                fields = Arrays.copyOf(fields, Math.max(8, fields.length * 2));
            }
            fields[2 * size] = name;
            fields[2 * size + 1] = value;
            size++;
        }

        void addAll(ArrayStore other) {
            int needed = 2 * (size + other.size);
            if (needed > fields.length) {
                fields = Arrays.copyOf(fields, Math.max(needed, 2 * fields.length));
            }
            System.arraycopy(other.fields, 0, fields, 2 * size, 2 * other.size);
            size += other.size;
        }

        @Override
        public boolean remove(String name) {
            int kept = 0;
            for (int i = 0; i < size; i++) {
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

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Headers that) || that.size() != size()) {
            return false;
        }
        for (int i = 0, size = size(); i < size; i++) {
            if (!store.name(i).equalsIgnoreCase(that.store.name(i))
                    || !store.value(i).equals(that.store.value(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = 0, size = size(); i < size; i++) {
            hash = 31 * hash + store.name(i).toLowerCase(Locale.ROOT).hashCode();
            hash = 31 * hash + store.value(i).hashCode();
        }
        return hash;
    }

    /** Names and values; values of credential-bearing fields are not shown. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0, size = size(); i < size; i++) {
            String name = store.name(i);
            boolean secret = name.equalsIgnoreCase("Authorization")
                    || name.equalsIgnoreCase("Cookie")
                    || name.equalsIgnoreCase("Set-Cookie")
                    || name.equalsIgnoreCase("Proxy-Authorization");
            text.append(i == 0 ? "" : ", ").append(name).append(": ").append(secret ? "<redacted>" : store.value(i));
        }
        return text.append(']').toString();
    }
}
