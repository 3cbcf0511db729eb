package dev.gatehouse.auth;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.Principal;

/**
 * What an {@link Authenticator} found on a request: who made it, no credential of its kind, or why the
 * credential is not acceptable. It never decides the response: {@link AuthPolicy} turns a failure into the
 * status, the {@code WWW-Authenticate} challenge and the problem body.
 */
public sealed interface Authentication {
    /** The credential is valid: the request is made by {@code principal}. */
    record Authenticated(Principal principal) implements Authentication {
        public Authenticated {
            requireNonNull(principal, "principal");
        }
    }

    /** The request carries no credential of this kind. */
    record Absent() implements Authentication {
        static final Absent INSTANCE = new Absent();
    }

    /**
     * The request carries a credential of this kind and it is not acceptable.
     *
     * @param fault whether the request is malformed (400) or the credential invalid (401)
     * @param description what the client is told: fixed text, never client input (it goes into a header)
     * @param reason the precise reason for the log (expired at T, aud expected X got Y), client text escaped
     */
    record Failed(Fault fault, String description, String reason) implements Authentication {
        public Failed {
            requireNonNull(fault, "fault");
            requireNonNull(description, "description");
            requireNonNull(reason, "reason");
        }
    }

    /**
     * The credential could not be checked: the service that vouches for it (an introspection endpoint) is down,
     * slow or answered nonsense. Never a pass: {@link AuthPolicy} answers 503 with {@code Retry-After}.
     *
     * @param description what the client is told: fixed text
     * @param reason the precise reason for the log, with no credential in it
     * @param retryAfterSeconds the {@code Retry-After} the client is given
     */
    record Unavailable(String description, String reason, long retryAfterSeconds) implements Authentication {
        public Unavailable {
            requireNonNull(description, "description");
            requireNonNull(reason, "reason");
            if (retryAfterSeconds < 0) {
                throw new IllegalArgumentException("retryAfterSeconds: " + retryAfterSeconds + " (expected: >= 0)");
            }
        }
    }

    /** What is wrong with a presented credential (RFC 6750 §3.1 error codes). */
    enum Fault {
        /** The request is malformed: two credentials, say. 400 {@code invalid_request}. */
        INVALID_REQUEST,
        /** The credential is expired, forged, unknown or malformed. 401 {@code invalid_token}. */
        INVALID_CREDENTIAL
    }
}
