package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.internal.Printable;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Requires scopes of the authenticated {@link Principal}: place it after the authentication policy in a
 * route's chain. A principal without every required scope gets 403 with {@code WWW-Authenticate: Bearer
 * error="insufficient_scope", scope="..."} (RFC 6750 §3.1); a request without a principal gets 401.
 */
public final class ScopePolicy implements OffloadPolicy {
    private final Set<String> required;
    private final String scopeList;

    private ScopePolicy(Set<String> required) {
        this.required = Set.copyOf(required);
        this.scopeList = String.join(" ", new TreeSet<>(required));
    }

    /** Requires every one of {@code scopes}. */
    public static ScopePolicy require(String... scopes) {
        checkArgument(scopes.length > 0, "scopes: none (expected: at least one)");
        for (String scope : scopes) {
            checkArgument(
                    Printable.isVisibleAscii(scope, 256) && scope.indexOf('"') < 0 && scope.indexOf('\\') < 0,
                    "scope: %s (expected: visible ASCII without quote or backslash)",
                    scope);
        }
        return new ScopePolicy(Set.of(scopes));
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        Optional<Principal> principal = Principal.of(exchange);
        if (principal.isEmpty()) {
            return Decision.reject(
                            Problem.of(401, "This resource requires authentication."),
                            Headers.of("WWW-Authenticate", "Bearer scope=\"" + scopeList + "\""))
                    .because("no principal for scopes [" + scopeList + "]");
        }
        if (principal.get().scopes().containsAll(required)) {
            return Decision.proceed();
        }
        List<String> missing = required.stream()
                .filter(scope -> !principal.get().hasScope(scope))
                .sorted()
                .toList();
        return Decision.reject(
                        Problem.of(403, "The credential lacks a required scope.")
                                .withType(
                                        "https://datatracker.ietf.org/doc/html/rfc6750#section-3.1",
                                        "Insufficient scope")
                                .with("required_scopes", List.copyOf(new TreeSet<>(required))),
                        Headers.of(
                                "WWW-Authenticate",
                                "Bearer error=\"insufficient_scope\", error_description=\"The credential lacks a"
                                        + " required scope.\", scope=\"" + scopeList + "\""))
                .because("insufficient_scope: " + principal.get().subject() + " lacks " + missing);
    }

    /** Refuses on credentials: a CORS preflight or a denied address is answered before it. */
    @Override
    public Placement placement() {
        return Placement.GUARD;
    }

    @Override
    public String name() {
        return "scope";
    }

    @Override
    public String toString() {
        return "ScopePolicy[" + scopeList + "]";
    }
}
