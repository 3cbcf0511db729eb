package dev.gatehouse.cors;

import static dev.gatehouse.internal.Checks.checkArgument;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The origins a {@link CorsPolicy} allows: serialized origins compared exactly (so {@code null}, and origins
 * that differ in scheme, port or letter case, are distinct), and patterns whose {@code *} stands for one whole
 * DNS label ({@code https://*.example.com}) or any port ({@code http://localhost:*}). A label wildcard never
 * matches a dot, so {@code https://*.example.com} matches neither {@code https://a.b.example.com} nor {@code
 * https://evil-example.com}.
 */
final class AllowedOrigins {
    private static final Pattern ORIGIN = Pattern.compile(
            "[a-z][a-z0-9+.-]*://(\\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?)(\\.(\\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?))*(:(\\*|\\d{1,5}))?"
                    + "|[a-z][a-z0-9+.-]*://\\[[0-9a-f:.]+\\](:(\\*|\\d{1,5}))?");

    private final Set<String> exact;
    private final List<Pattern> patterns;
    private final List<String> written;
    private final boolean any;

    private AllowedOrigins(Set<String> exact, List<Pattern> patterns, List<String> written, boolean any) {
        this.exact = Set.copyOf(exact);
        this.patterns = List.copyOf(patterns);
        this.written = List.copyOf(written);
        this.any = any;
    }

    static AllowedOrigins any() {
        return new AllowedOrigins(Set.of(), List.of(), List.of("*"), true);
    }

    static AllowedOrigins of(List<String> origins) {
        Set<String> exact = new HashSet<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String origin : origins) {
            checkArgument(
                    ORIGIN.matcher(origin).matches(),
                    "origin: %s (expected: scheme://host[:port] in lower case, * as a whole label or port)",
                    origin);
            if (origin.indexOf('*') < 0) {
                exact.add(origin);
            } else {
                patterns.add(compile(origin));
            }
        }
        return new AllowedOrigins(exact, patterns, origins, false);
    }

    private static Pattern compile(String origin) {
        int hostStart = origin.indexOf("://") + 3;
        int portColon = origin.indexOf(':', hostStart);
        String host = portColon < 0 ? origin.substring(hostStart) : origin.substring(hostStart, portColon);
        String[] labels = host.split("\\.");
        int literalTail = 0;
        for (int i = labels.length - 1; i >= 0 && !labels[i].equals("*"); i--) {
            literalTail++;
        }
        checkArgument(
                host.indexOf('*') < 0 || literalTail >= 2,
                "origin: %s (expected: at least two literal labels after the last *)",
                origin);
        StringBuilder regex = new StringBuilder(Pattern.quote(origin.substring(0, hostStart)));
        for (int i = 0; i < labels.length; i++) {
            regex.append(i == 0 ? "" : "\\.")
                    .append(labels[i].equals("*") ? "[a-z0-9]([a-z0-9-]*[a-z0-9])?" : Pattern.quote(labels[i]));
        }
        if (portColon >= 0) {
            String port = origin.substring(portColon + 1);
            regex.append(port.equals("*") ? "(:\\d{1,5})?" : Pattern.quote(":" + port));
        }
        return Pattern.compile(regex.toString());
    }

    boolean isAny() {
        return any;
    }

    /** Whether the serialized {@code origin} a browser sent is allowed. */
    boolean allows(String origin) {
        if (any || exact.contains(origin)) {
            return true;
        }
        for (Pattern pattern : patterns) {
            if (pattern.matcher(origin).matches()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return written.toString();
    }
}
