package dev.gatehouse.auth;

import dev.gatehouse.Exchange;
import java.util.Optional;

/** Finds and checks one kind of credential on a request; {@link AuthPolicy} combines several. */
public interface Authenticator {
    /** Never throws: any credential, however malformed, yields {@link Authentication.Failed}. */
    Authentication authenticate(Exchange exchange);

    /** The {@code WWW-Authenticate} challenge to send when no credential was presented, if this kind has one. */
    default Optional<String> challenge() {
        return Optional.empty();
    }

    /** A short name for logs: {@code jwt}, {@code api-key}. */
    String name();
}
