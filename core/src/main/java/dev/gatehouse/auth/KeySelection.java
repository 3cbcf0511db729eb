package dev.gatehouse.auth;

import static java.util.Objects.requireNonNull;

/** The outcome of {@link KeySource#select}: the key that verifies a token, or why there is none. */
public sealed interface KeySelection {
    /** The token's key. Its algorithm must still equal the token's {@code alg} exactly. */
    record Found(JwtKey key) implements KeySelection {
        public Found {
            requireNonNull(key, "key");
        }
    }

    /** No key fits the token; {@code reason} says why, for the log. */
    record NotFound(String reason) implements KeySelection {
        public NotFound {
            requireNonNull(reason, "reason");
        }
    }
}
