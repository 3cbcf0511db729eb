package dev.gatehouse.internal;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A small set of header names that ignores letter case and keeps the first spelling added. An exchange edits
 * a handful of names, so a linear scan beats a tree or a hash of lower-cased copies.
 */
public final class NameSet extends AbstractSet<String> {
    private String[] names = new String[4];
    private int size;

    @Override
    public boolean add(String name) {
        if (contains(name)) {
            return false;
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, 2 * size);
        }
        names[size++] = name;
        return true;
    }

    @Override
    public boolean contains(Object o) {
        if (o instanceof String name) {
            for (int i = 0; i < size; i++) {
                if (names[i].equalsIgnoreCase(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The name added {@code index}-th, in its first spelling. */
    public String get(int index) {
        return names[java.util.Objects.checkIndex(index, size)];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public String next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return names[next++];
            }
        };
    }
}
