package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.internal.Printable;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication policy: asks its {@link Authenticator}s in order (a JWT bearer token, an API key, …), and
 * the first whose kind of credential the request carries decides. It alone owns the outcome: the {@link
 * Principal} attribute and the {@link IdentityHeaders} for the service, or the refusal — 400 {@code
 * invalid_request} or 401 {@code invalid_token} with the authenticator's {@code WWW-Authenticate} challenge and
 * a problem+json body, and the precise reason for the access log; or 503 with {@code Retry-After} when an
 * authenticator could not check the credential ({@link Authentication.Unavailable}), never a pass.
 *
 * <p>Client-sent copies of the identity headers are removed on every request, authenticated or not (a {@link
 * dev.gatehouse.RouteTable} holding this policy removes them on its other routes too). A request without any
 * credential is refused with 401 and every authenticator's bare challenge, unless the policy is {@linkplain
 * Builder#optional() optional}: then it proceeds anonymously. A request with a bad credential is always refused.
 *
 * <pre>{@code
 * AuthPolicy.jwt(JwtAuthenticator.builder().issuer(iss, keys).audience("orders").build());
 * AuthPolicy.anyOf(jwt, apiKeys);
 * AuthPolicy.builder().authenticator(jwt).identityHeaders(headers).optional().build();
 * }</pre>
 */
public final class AuthPolicy implements OffloadPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(AuthPolicy.class);

    private final List<Authenticator> authenticators;
    private final IdentityHeaders identityHeaders;
    private final boolean optional;
    private final Headers challenges;

    private AuthPolicy(Builder builder) {
        this.authenticators = List.copyOf(builder.authenticators);
        this.identityHeaders = builder.identityHeaders;
        this.optional = builder.optional;
        Headers challenges = Headers.create();
        for (Authenticator authenticator : authenticators) {
            authenticator.challenge().ifPresent(scheme -> challenges.add("WWW-Authenticate", scheme));
        }
        this.challenges = challenges.immutableCopy();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Requires a valid JWT bearer token, with the default identity headers. */
    public static AuthPolicy jwt(JwtAuthenticator jwt) {
        return anyOf(jwt);
    }

    /** Requires a valid API key, with the default identity headers. */
    public static AuthPolicy apiKeys(ApiKeyAuthenticator apiKeys) {
        return anyOf(apiKeys);
    }

    /** Requires a credential of one of these kinds, with the default identity headers. */
    public static AuthPolicy anyOf(Authenticator... authenticators) {
        Builder builder = builder();
        for (Authenticator authenticator : authenticators) {
            builder.authenticator(authenticator);
        }
        return builder.build();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        List<String> spoofed = identityHeaders.spoofedCopies(exchange.requestHeaders());
        for (Authenticator authenticator : authenticators) {
            Authentication result;
            try {
                result = authenticator.authenticate(exchange);
            } catch (RuntimeException e) {
                // An authenticator's bug must not become a 5xx or, worse, a pass.
                LOG.error(
                        "authenticator {} failed on {} {}",
                        authenticator.name(),
                        exchange.method(),
                        exchange.path(),
                        e);
                return Decision.reject(Problem.of(401, "The credential could not be verified."), challenges)
                        .because(authenticator.name() + " failed: " + Printable.of(e.toString(), 200));
            }
            if (result instanceof Authentication.Authenticated authenticated) {
                Principal principal = authenticated.principal();
                exchange.setAttribute(Principal.KEY, principal);
                return Decision.proceed(identityHeaders.of(principal), spoofed);
            }
            if (result instanceof Authentication.Failed failed) {
                return refusal(authenticator, failed);
            }
            if (result instanceof Authentication.Unavailable unavailable) {
                return Decision.reject(
                                Problem.of(503, unavailable.description()),
                                Headers.of("Retry-After", Long.toString(unavailable.retryAfterSeconds())))
                        .because(authenticator.name() + " unavailable: " + unavailable.reason());
            }
        }
        if (optional) {
            Decision.Proceed anonymous = Decision.proceed(Headers.create(), spoofed);
            return spoofed.isEmpty() ? anonymous : anonymous.because("anonymous; removed spoofed " + spoofed);
        }
        return Decision.reject(Problem.of(401, "This resource requires authentication."), challenges)
                .because("no credential");
    }

    /** 400 or 401 with the RFC 6750 error in the authenticator's challenge, when its scheme has one. */
    private static Decision.Reject refusal(Authenticator authenticator, Authentication.Failed failed) {
        boolean badRequest = failed.fault() == Authentication.Fault.INVALID_REQUEST;
        String error = badRequest ? "invalid_request" : "invalid_token";
        Headers headers = authenticator
                .challenge()
                .map(challenge -> Headers.of(
                        "WWW-Authenticate",
                        // A challenge with parameters of its own (ApiKey header="...") takes more after a comma.
                        challenge + (challenge.indexOf(' ') < 0 ? " " : ", ") + "error=\"" + error
                                + "\", error_description=\"" + failed.description() + "\""))
                .orElse(Headers.empty());
        return Decision.reject(Problem.of(badRequest ? 400 : 401, failed.description()), headers)
                .because(failed.reason());
    }

    @Override
    public ProtectedHeaders protectedRequestHeaders() {
        return identityHeaders.protectedHeaders();
    }

    /** Refuses on credentials: a CORS preflight or a denied address is answered before it. */
    @Override
    public Placement placement() {
        return Placement.GUARD;
    }

    @Override
    public String name() {
        return "auth";
    }

    @Override
    public String toString() {
        return "AuthPolicy[" + authenticators.stream().map(Authenticator::name).toList()
                + (optional ? ", optional" : "") + "]";
    }

    public static final class Builder {
        private final List<Authenticator> authenticators = new ArrayList<>();
        private IdentityHeaders identityHeaders = IdentityHeaders.defaults();
        private boolean optional;

        private Builder() {}

        /** Adds a kind of credential; the first one a request carries decides. */
        public Builder authenticator(Authenticator authenticator) {
            authenticators.add(requireNonNull(authenticator, "authenticator"));
            return this;
        }

        /** The headers that carry the principal to the service; {@link IdentityHeaders#defaults()} by default. */
        public Builder identityHeaders(IdentityHeaders identityHeaders) {
            this.identityHeaders = requireNonNull(identityHeaders, "identityHeaders");
            return this;
        }

        /** Lets requests without any credential through anonymously; a bad credential is still refused. */
        public Builder optional() {
            this.optional = true;
            return this;
        }

        /** @throws IllegalArgumentException without an authenticator */
        public AuthPolicy build() {
            checkArgument(!authenticators.isEmpty(), "authenticators: none (expected: at least one)");
            return new AuthPolicy(this);
        }
    }
}
