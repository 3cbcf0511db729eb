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
 * @param issuer who vouches for the subject, when it matters: a JWT's {@code iss}, a client certificate's issuer
 *     (its distinguished name); a subject is unique only within its issuer
 */
public record Principal(
        String subject,
        Optional<String> tenant,
        Set<String> scopes,
        Optional<String> plan,
        Map<String, String> claims,
        String method,
        Optional<String> issuer) {
    public static final AttributeKey<Principal> KEY = AttributeKey.of("gatehouse.principal", Principal.class);

    public Principal {
        requireNonNull(subject, "subject");
        requireNonNull(tenant, "tenant");
        requireNonNull(plan, "plan");
        requireNonNull(method, "method");
        requireNonNull(issuer, "issuer");
        scopes = Set.copyOf(scopes);
        claims = Map.copyOf(claims);
    }

    /** A principal no issuer qualifies (an API key's owner, say). */
    public Principal(
            String subject,
            Optional<String> tenant,
            Set<String> scopes,
            Optional<String> plan,
            Map<String, String> claims,
            String method) {
        this(subject, tenant, scopes, plan, claims, method, Optional.empty());
    }

    /**
     * Who this is, as one string for keys (rate-limit buckets, idempotency scopes): the method, the issuer and the
     * subject. RFC 7519 makes {@code sub} unique only within its issuer, so two issuers' {@code alice} are two
     * principals. The issuer goes with its length, so that no issuer and subject can spell another pair's key.
     */
    public String key() {
        return issuer.isEmpty()
                ? method + ":" + subject
                : method + ":" + issuer.get().length() + ":" + issuer.get() + ":" + subject;
    }

    /** The principal an authentication policy recorded on this exchange, if any. */
    public static Optional<Principal> of(Exchange exchange) {
        return exchange.attribute(KEY);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }
}
