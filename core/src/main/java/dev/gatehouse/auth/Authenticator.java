package dev.gatehouse.auth;

import dev.gatehouse.Exchange;
import java.util.Optional;

/**
 * Finds and checks one kind of credential on a request ({@link JwtAuthenticator}, {@link ApiKeyAuthenticator},
 * {@link ClientCertificateAuthenticator}):
 * it answers only "who is this, or why not". {@link AuthPolicy} asks its authenticators in order and alone
 * decides the response, the challenge and the identity headers.
 */
public interface Authenticator {
    /** Never throws: any credential, however malformed, yields {@link Authentication.Failed}. */
    Authentication authenticate(Exchange exchange);

    /**
     * The {@code WWW-Authenticate} scheme of this kind of credential ({@code Bearer}), if it has one: sent bare
     * when no credential was presented, with the RFC 6750 error when this kind's credential failed.
     */
    default Optional<String> challenge() {
        return Optional.empty();
    }

    /** A short name for logs: {@code jwt}, {@code api-key}. */
    String name();
}
