package dev.gatehouse.internal;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import java.util.Arrays;
import java.util.Optional;

/** A tiny identity map of attributes: exchanges carry a handful, so a linear scan beats hashing. */
public final class Attributes {
    private static final Object[] EMPTY = new Object[0];

    private Object[] entries = EMPTY;
    private int size;

    public <T> Optional<T> get(AttributeKey<T> key) {
        for (int i = 0; i < 2 * size; i += 2) {
            if (entries[i] == key) {
                return Optional.of(key.cast(entries[i + 1]));
            }
        }
        return Optional.empty();
    }

    public <T> void set(AttributeKey<T> key, T value) {
        requireNonNull(key, "key");
        key.cast(requireNonNull(value, key.name()));
        for (int i = 0; i < 2 * size; i += 2) {
            if (entries[i] == key) {
                entries[i + 1] = value;
                return;
            }
        }
        if (2 * size == entries.length) {
            // Route, request id, trace, principal, decision log, proceeded...: room for eight at once, not four
            // then a copy.
            entries = Arrays.copyOf(entries, Math.max(16, entries.length * 2));
        }
        entries[2 * size] = key;
        entries[2 * size + 1] = value;
        size++;
    }
}
