package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who made the request, as an authentication policy established it. Later policies read it from the exchange
 * ({@link #KEY}): rate limits key on the subject or the plan, idempotency scopes keys by it, the access log
 * names it. Every value has been checked to be visible ASCII of bounded length, so it is safe as a header
 * value.
 *
 * @param subject the user or client id ({@code sub}, the API key's owner, or the client certificate's identity)
 * @param tenant the tenant, when the credential names one
 * @param scopes the granted scopes
 * @param plan the plan (tier) for rate limits, when the credential names one
 * @param claims further selected claims, by claim name
 * @param method how the principal authenticated: {@code jwt}, {@code api-key} or {@code client-certificate}
 */
public record Principal(
        String subject,
        Optional<String> tenant,
        Set<String> scopes,
        Optional<String> plan,
        Map<String, String> claims,
        String method) {
    public static final AttributeKey<Principal> KEY = AttributeKey.of("gatehouse.principal", Principal.class);

    public Principal {
        requireNonNull(subject, "subject");
        requireNonNull(tenant, "tenant");
        requireNonNull(plan, "plan");
        requireNonNull(method, "method");
        scopes = Set.copyOf(scopes);
        claims = Map.copyOf(claims);
    }

    /** The principal an authentication policy recorded on this exchange, if any. */
    public static Optional<Principal> of(Exchange exchange) {
        return exchange.attribute(KEY);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
