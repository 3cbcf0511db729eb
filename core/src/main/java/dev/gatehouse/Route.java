package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A route of a {@link RouteTable}: methods and a path pattern, and the chain for requests that match.
 *
 * <p>Patterns are {@code /}-separated segments: a literal matches itself, {@code *} one whole segment,
 * {@code **} any number of segments including none. {@code /api/**} matches {@code /api} and everything
 * below it; {@code /users/*}{@code /orders} matches {@code /users/42/orders}. Empty segments are ignored.
 */
public final class Route {
    /** The route the exchange matched ({@link RouteTable#select}), set when the host starts the exchange's run. */
    public static final AttributeKey<Route> KEY = AttributeKey.of("gatehouse.route", Route.class);

    private final Set<String> methods;
    private final String pattern;
    /** Logged with every exchange: built once. */
    private final String description;

    private final String[] segments;
    private final PolicyChain chain;

    Route(Set<String> methods, String pattern, PolicyChain chain) {
        requireNonNull(pattern, "pattern");
        checkArgument(pattern.startsWith("/"), "pattern: %s (expected: starts with /)", pattern);
        this.methods =
                methods.stream().map(method -> method.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.methods.forEach(Headers::checkName);
        this.pattern = pattern;
        this.description = (this.methods.isEmpty()
                        ? "*"
                        : String.join(",", this.methods.stream().sorted().toList())) + " " + pattern;
        this.segments = split(pattern);
        for (String segment : segments) {
            checkArgument(
                    segment.equals("*") || segment.equals("**") || !segment.contains("*"),
                    "pattern: %s (expected: * and ** only as whole segments)",
                    pattern);
        }
        this.chain = requireNonNull(chain, "chain");
    }

    /** The methods this route takes; empty for every method. */
    public Set<String> methods() {
        return methods;
    }

    public String pattern() {
        return pattern;
    }

    public PolicyChain chain() {
        return chain;
    }

    boolean matches(String method, String path) {
        return (methods.isEmpty() || methods.contains(method)) && matchesPath(split(path));
    }

    boolean matchesPath(String[] path) {
        return match(segments, 0, path, 0);
    }

    private static boolean match(String[] pattern, int p, String[] path, int s) {
        while (p < pattern.length) {
            String segment = pattern[p];
            if (segment.equals("**")) {
                for (int skip = s; skip <= path.length; skip++) {
                    if (match(pattern, p + 1, path, skip)) {
                        return true;
                    }
                }
                return false;
            }
            if (s == path.length || !(segment.equals("*") || segment.equals(path[s]))) {
                return false;
            }
            p++;
            s++;
        }
        return s == path.length;
    }

    /** The non-empty segments of {@code path}; once per request, so without streams or regular expressions. */
    static String[] split(String path) {
        int count = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) != '/' && (i == 0 || path.charAt(i - 1) == '/')) {
                count++;
            }
        }
        String[] segments = new String[count];
        int found = 0;
        int start = -1;
        for (int i = 0; i <= path.length(); i++) {
            boolean slash = i == path.length() || path.charAt(i) == '/';
            if (slash && start >= 0) {
                segments[found++] = path.substring(start, i);
                start = -1;
            } else if (!slash && start < 0) {
                start = i;
            }
        }
        return segments;
    }

    @Override
    public String toString() {
        return description;
    }
}
