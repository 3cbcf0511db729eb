package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.internal.Printable;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a request with the first {@link Authenticator} whose credential it carries (a JWT bearer
 * token, an API key, …), records the {@link Principal} and passes it to the service in {@link IdentityHeaders}.
 *
 * <p>Client-sent copies of the identity headers are removed on every request, authenticated or not. A
 * request without any credential is refused with 401 unless the policy is {@linkplain Builder#optional()
 * optional}, in which case it proceeds anonymously; a request with a bad credential is always refused.
 * {@link JwtPolicy} and {@link ApiKeyPolicy} are policies of their own for the common single-credential case.
 */
public final class AuthPolicy implements OffloadPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(AuthPolicy.class);

    private final List<Authenticator> authenticators;
    private final IdentityHeaders identityHeaders;
    private final boolean optional;
    private final Headers challenges;

    private AuthPolicy(List<Authenticator> authenticators, IdentityHeaders identityHeaders, boolean optional) {
        this.authenticators = List.copyOf(authenticators);
        this.identityHeaders = identityHeaders;
        this.optional = optional;
        this.challenges = Headers.create();
        for (Authenticator authenticator : authenticators) {
            authenticator.challenge().ifPresent(challenge -> challenges.add("WWW-Authenticate", challenge));
        }
    }

    public static Builder builder() {
        return new Builder();
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
        return decide(exchange, authenticators, identityHeaders, optional, challenges);
    }

    static Decision decide(
            Exchange exchange,
            List<Authenticator> authenticators,
            IdentityHeaders identityHeaders,
            boolean optional,
            Headers challenges) {
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
                return failed.refusal();
            }
        }
        Decision.Proceed anonymous = Decision.proceed(Headers.create(), spoofed);
        if (optional) {
            return spoofed.isEmpty() ? anonymous : anonymous.because("anonymous; removed spoofed " + spoofed);
        }
        return Decision.reject(Problem.of(401, "This resource requires authentication."), challenges)
                .because("no credential");
    }

    @Override
    public ProtectedHeaders protectedRequestHeaders() {
        return identityHeaders.protectedHeaders();
    }

    @Override
    public String name() {
        return "auth";
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

        public Builder identityHeaders(IdentityHeaders identityHeaders) {
            this.identityHeaders = requireNonNull(identityHeaders, "identityHeaders");
            return this;
        }

        /** Lets requests without any credential through anonymously (identity headers still removed). */
        public Builder optional() {
            this.optional = true;
            return this;
        }

        public AuthPolicy build() {
            checkArgument(!authenticators.isEmpty(), "authenticators: none (expected: at least one)");
            return new AuthPolicy(authenticators, identityHeaders, optional);
        }
    }
}
