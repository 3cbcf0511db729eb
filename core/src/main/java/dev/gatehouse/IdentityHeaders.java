package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request headers that carry a {@link Principal} to the service, and the rule that makes them
 * trustworthy: a client's copies are always removed, in any letter case and with {@code _} for {@code -}
 * ({@code x_user_id} too, which some servers fold into {@code X-User-Id}), whether or not the request
 * authenticates.
 *
 * <p>Defaults: {@code X-User-Id}, {@code X-Tenant-Id}, {@code X-Scopes} (space-separated), {@code X-Plan}.
 */
public final class IdentityHeaders {
    private static final IdentityHeaders DEFAULTS = builder().build();

    private final String user;
    private final String tenant;
    private final String scopes;
    private final String plan;
    private final Map<String, String> claimHeaders;
    private final ProtectedHeaders protectedHeaders;

    private IdentityHeaders(Builder builder) {
        this.user = builder.user;
        this.tenant = builder.tenant;
        this.scopes = builder.scopes;
        this.plan = builder.plan;
        this.claimHeaders = Map.copyOf(builder.claimHeaders);
        List<String> names = new ArrayList<>(List.of(user, tenant, scopes, plan));
        names.addAll(claimHeaders.values());
        this.protectedHeaders = ProtectedHeaders.of(names);
    }

    public static IdentityHeaders defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The claims (by claim name) that travel in headers of their own, besides the principal's fields. */
    public Map<String, String> claimHeaders() {
        return claimHeaders;
    }

    /** Every name these headers use, for the {@link RouteTable} to remove client copies of. */
    public ProtectedHeaders protectedHeaders() {
        return protectedHeaders;
    }

    /** The names of the client's fields that impersonate an identity header, spelled as the client sent them. */
    public List<String> spoofedCopies(Headers client) {
        return protectedHeaders.clientCopies(client);
    }

    /** The headers that tell the service who {@code principal} is. */
    public Headers of(Principal principal) {
        Headers headers = Headers.create().add(user, principal.subject());
        if (principal.tenant().isPresent()) {
            headers.add(tenant, principal.tenant().get());
        }
        if (!principal.scopes().isEmpty()) {
            headers.add(scopes, sortedScopes(principal.scopes()));
        }
        if (principal.plan().isPresent()) {
            headers.add(plan, principal.plan().get());
        }
        if (!claimHeaders.isEmpty()) {
            for (Map.Entry<String, String> claim : principal.claims().entrySet()) {
                String header = claimHeaders.get(claim.getKey());
                if (header != null) {
                    headers.add(header, claim.getValue());
                }
            }
        }
        return headers;
    }

    /** The scopes in their natural order, separated by spaces. */
    private static String sortedScopes(Set<String> scopes) {
        if (scopes.size() == 1) {
            return scopes.iterator().next();
        }
        String[] sorted = scopes.toArray(new String[0]);
        Arrays.sort(sorted);
        return String.join(" ", sorted);
    }

    @Override
    public String toString() {
        return "IdentityHeaders[" + user + ", " + tenant + ", " + scopes + ", " + plan + ", " + claimHeaders + "]";
    }

    public static final class Builder {
        private String user = "X-User-Id";
        private String tenant = "X-Tenant-Id";
        private String scopes = "X-Scopes";
        private String plan = "X-Plan";
        private final Map<String, String> claimHeaders = new LinkedHashMap<>();

        private Builder() {}

        public Builder user(String name) {
            this.user = Headers.checkName(name);
            return this;
        }

        public Builder tenant(String name) {
            this.tenant = Headers.checkName(name);
            return this;
        }

        public Builder scopes(String name) {
            this.scopes = Headers.checkName(name);
            return this;
        }

        public Builder plan(String name) {
            this.plan = Headers.checkName(name);
            return this;
        }

        /** Passes claim {@code claim} (when present and valid) to the service as header {@code name}. */
        public Builder claim(String claim, String name) {
            claimHeaders.put(requireNonNull(claim, "claim"), Headers.checkName(name));
            return this;
        }

        public IdentityHeaders build() {
            return new IdentityHeaders(this);
        }
    }
}
