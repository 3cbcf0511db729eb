package dev.gatehouse.internal;

/** Precondition checks with one message format: {@code "name: value (expected: constraint)"}. */
public final class Checks {
    private Checks() {}

    public static void checkArgument(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    public static void checkState(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(format, args));
        }
    }
}
