package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The directives of the {@code Cache-Control} fields of a request or a response (RFC 9111 §5.2): names in lower
 * case, each with its argument, unquoted, or an empty one. Every field of the name counts, as one list.
 */
record CacheControl(Map<String, String> directives) {
    private static final CacheControl NONE = new CacheControl(Map.of());

    static CacheControl of(Headers headers) {
        if (!headers.contains("Cache-Control")) {
            return NONE;
        }
        Map<String, String> directives = new HashMap<>();
        for (String field : headers.all("Cache-Control")) {
            parse(field, directives);
        }
        return new CacheControl(Map.copyOf(directives));
    }

    private static void parse(String field, Map<String, String> directives) {
        int i = 0;
        while (i < field.length()) {
            int end = i;
            boolean quoted = false;
            while (end < field.length() && (quoted || field.charAt(end) != ',')) {
                if (field.charAt(end) == '"') {
                    quoted = !quoted;
                }
                end++;
            }
            String directive = field.substring(i, end).trim();
            int equals = directive.indexOf('=');
            String name = (equals < 0 ? directive : directive.substring(0, equals))
                    .trim()
                    .toLowerCase(Locale.ROOT);
            String argument =
                    equals < 0 ? "" : unquote(directive.substring(equals + 1).trim());
            if (!name.isEmpty()) {
                // A directive given twice with different arguments is invalid: the smaller age is the safe one.
                directives.merge(name, argument, CacheControl::smaller);
            }
            i = end + 1;
        }
    }

    private static String smaller(String first, String second) {
        boolean numbers = !first.isEmpty()
                && !second.isEmpty()
                && (first + second).chars().allMatch(Character::isDigit);
        if (!numbers) {
            return first;
        }
        return first.length() != second.length()
                ? (first.length() < second.length() ? first : second)
                : (first.compareTo(second) <= 0 ? first : second);
    }

    private static String unquote(String argument) {
        return argument.length() >= 2 && argument.startsWith("\"") && argument.endsWith("\"")
                ? argument.substring(1, argument.length() - 1)
                : argument;
    }

    boolean has(String directive) {
        return directives.containsKey(directive);
    }

    /**
     * The delta-seconds argument of {@code directive}, when present; 0 for an invalid argument, which RFC 9111
     * §1.2.2 and §4.2.1 treat as stale, and at most 2^31 seconds.
     */
    OptionalLong seconds(String directive) {
        String argument = directives.get(directive);
        if (argument == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(deltaSeconds(argument));
    }

    /**
     * A delta-seconds value (RFC 9111 §1.2.2): ASCII digits, capped at 2^31 however many there are (a longer
     * value is not invalid, only too great to represent); anything else is invalid, 0.
     */
    static long deltaSeconds(String value) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 0;
        }
        return value.length() > 10 ? 1L << 31 : Math.min(Long.parseLong(value), 1L << 31);
    }
}
