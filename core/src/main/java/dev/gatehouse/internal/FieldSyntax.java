package dev.gatehouse.internal;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

/** RFC 9110 field syntax: token names, and values that can never split a header section. */
public final class FieldSyntax {
    private static final boolean[] TOKEN_CHARS = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN_CHARS[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN_CHARS[c] = true;
            TOKEN_CHARS[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN_CHARS[c] = true;
        }
    }

    private FieldSyntax() {}

    /** Whether {@code c} may appear in a token (RFC 9110 §5.6.2). */
    public static boolean isTokenChar(char c) {
        return c < 128 && TOKEN_CHARS[c];
    }

    /** {@code name} when it is a token; otherwise names the offending position, never echoing the name. */
    public static String checkName(String name) {
        requireNonNull(name, "name");
        int length = name.length();
        checkArgument(length > 0, "header name: \"\" (expected: a token)");
        for (int i = 0; i < length; i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException(String.format(
                        "header name: illegal character 0x%02x at index %s (expected: a token)",
                        (int) name.charAt(i), i));
            }
        }
        return name;
    }

    /** {@code value} when it holds no control character but horizontal tab; never echoes the value. */
    public static String checkValue(String name, String value) {
        requireNonNull(value, name);
        // Every header value of every exchange passes here: one comparison per character in the common case.
        for (int i = 0, length = value.length(); i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x20 ? c != '\t' : c == 0x7f) {
                throw new IllegalArgumentException(String.format(
                        "%s: control character 0x%02x at index %s (expected: no CR, LF, NUL or other controls)",
                        name, (int) c, i));
            }
        }
        return value;
    }
}
