package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Request header names that only policies may give the service, never the client: the identity headers that
 * carry a verified {@link Principal}, say. A client's copy matches in any letter case and with {@code _} for
 * {@code -} ({@code x_user_id} too, which some servers fold into {@code X-User-Id}).
 *
 * <p>A {@link RouteTable} removes client copies of its protected headers on every route before any policy
 * runs, whether or not the route authenticates.
 */
public final class ProtectedHeaders {
    private static final ProtectedHeaders NONE = new ProtectedHeaders(Set.of());

    private final Set<String> names;
    /** Lower case with {@code -} for {@code _}: what a client's spelling is compared with. */
    private final String[] normalized;

    private ProtectedHeaders(Set<String> names) {
        this.names = Set.copyOf(names);
        this.normalized =
                names.stream().map(ProtectedHeaders::normalize).distinct().toArray(String[]::new);
    }

    public static ProtectedHeaders of(Collection<String> names) {
        Set<String> checked = new LinkedHashSet<>();
        for (String name : requireNonNull(names, "names")) {
            checked.add(Headers.checkName(name));
        }
        return checked.isEmpty() ? NONE : new ProtectedHeaders(checked);
    }

    public static ProtectedHeaders none() {
        return NONE;
    }

    /** These names and {@code other}'s. */
    public ProtectedHeaders and(ProtectedHeaders other) {
        if (other.names.isEmpty() || names.containsAll(other.names)) {
            return this;
        }
        Set<String> union = new LinkedHashSet<>(names);
        union.addAll(other.names);
        return new ProtectedHeaders(union);
    }

    public Set<String> names() {
        return names;
    }

    /** Whether {@code name}, in any letter case or {@code _} spelling, is protected. */
    public boolean matches(String name) {
        for (String protectedName : normalized) {
            if (sameName(protectedName, name)) {
                return true;
            }
        }
        return false;
    }

    /** The client's field names that copy a protected header, spelled as the client sent them; usually none. */
    public List<String> clientCopies(Headers client) {
        List<String> copies = List.of();
        for (int i = 0; i < client.size(); i++) {
            String name = client.name(i);
            if (matches(name) && !copies.contains(name)) {
                if (copies.isEmpty()) {
                    copies = new ArrayList<>(2);
                }
                copies.add(name);
            }
        }
        return copies;
    }

    private static boolean sameName(String normalized, String name) {
        if (normalized.length() != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
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

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return "ProtectedHeaders" + names;
    }
}
