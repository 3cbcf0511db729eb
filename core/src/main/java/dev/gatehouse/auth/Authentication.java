package dev.gatehouse.auth;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.Decision;
import dev.gatehouse.Principal;

/** What an {@link Authenticator} found on a request. */
public sealed interface Authentication {
    /** The credential is valid: the request is made by {@code principal}. */
    record Authenticated(Principal principal) implements Authentication {
        public Authenticated {
            requireNonNull(principal, "principal");
        }
    }

    /** The request carries no credential of this kind. */
    record Absent() implements Authentication {}

    /** The request carries a credential of this kind and it is not acceptable: answer with {@code refusal}. */
    record Failed(Decision.Reject refusal) implements Authentication {
        public Failed {
            requireNonNull(refusal, "refusal");
        }
    }
}
