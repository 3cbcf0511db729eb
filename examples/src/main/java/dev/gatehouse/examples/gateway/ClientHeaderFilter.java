package dev.gatehouse.examples.gateway;

import dev.gatehouse.Headers;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Request fields a client may never send on, removed before any policy runs, in any letter case and with {@code _}
 * for {@code -} ({@code X_User_Id} too, which CGI-style servers fold into {@code X-User-Id}): names that services
 * behind a gateway trust to come from it, such as {@code X-Real-IP} or a {@code X-User-*} family. A pattern is a
 * field name, or a prefix ending in {@code *}. By default {@code X-User-*}, {@code X-Auth-*}, {@code X-Forwarded-*}
 * and {@code X-Real-IP}.
 *
 * <p>The forwarding fields the gateway reads from trusted proxies and writes itself ({@code X-Forwarded-For},
 * {@code -Proto}, {@code -Host}, {@code -Port}, {@code Forwarded}) are left to {@link ForwardingHeaders}: they are
 * never sent on as the client wrote them either. The identity headers policies set are set after this.
 */
final class ClientHeaderFilter {
    static final List<String> DEFAULT_PATTERNS = List.of("X-User-*", "X-Auth-*", "X-Forwarded-*", "X-Real-IP");
    static final ClientHeaderFilter DEFAULT = of(DEFAULT_PATTERNS);

    /** Lower case, {@code -} for {@code _}; prefixes without their {@code *}. */
    private final String[] prefixes;

    private final String[] names;
    private final List<String> patterns;
    /** The first letters of every pattern: most fields are told apart by their first letter alone. */
    private final String firstLetters;

    private ClientHeaderFilter(List<String> patterns, String[] prefixes, String[] names) {
        this.patterns = patterns;
        this.prefixes = prefixes;
        this.names = names;
        StringBuilder first = new StringBuilder();
        for (String[] group : new String[][] {prefixes, names}) {
            for (String pattern : group) {
                first.append(pattern.charAt(0));
            }
        }
        this.firstLetters = first.toString();
    }

    /**
     * @throws IllegalArgumentException when a pattern is not a field name with an optional {@code *} at its end
     */
    static ClientHeaderFilter of(List<String> patterns) {
        List<String> prefixes = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        for (String pattern : patterns) {
            boolean prefix = pattern.endsWith("*");
            String name = prefix ? pattern.substring(0, pattern.length() - 1) : pattern;
            if (name.isEmpty()) {
                throw new IllegalArgumentException(
                        "pattern " + pattern + " (expected: a field name, or a prefix ending in *, like X-User-*)");
            }
            Headers.checkName(name);
            (prefix ? prefixes : names).add(name.toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return new ClientHeaderFilter(
                List.copyOf(patterns), prefixes.toArray(String[]::new), names.toArray(String[]::new));
    }

    List<String> patterns() {
        return patterns;
    }

    /** Whether the client's {@code field} is removed; compared in place, nothing lower-cased. */
    boolean removes(HttpField field) {
        HttpHeader header = field.getHeader();
        if (header == HttpHeader.X_FORWARDED_FOR
                || header == HttpHeader.X_FORWARDED_PROTO
                || header == HttpHeader.X_FORWARDED_HOST
                || header == HttpHeader.X_FORWARDED_PORT
                || header == HttpHeader.FORWARDED) {
            return false;
        }
        String name = field.getName();
        char first = name.charAt(0);
        if (firstLetters.indexOf(first >= 'A' && first <= 'Z' ? (char) (first + ('a' - 'A')) : first) < 0) {
            return false;
        }
        for (String prefix : prefixes) {
            if (name.length() >= prefix.length() && sameStart(prefix, name)) {
                return true;
            }
        }
        for (String exact : names) {
            if (name.length() == exact.length() && sameStart(exact, name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} starts with {@code normalized}, in any letter case and {@code _} for {@code -}. */
    private static boolean sameStart(String normalized, String name) {
        for (int i = 0; i < normalized.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                c = '-';
            } else if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != normalized.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ClientHeaderFilter" + patterns;
    }
}
