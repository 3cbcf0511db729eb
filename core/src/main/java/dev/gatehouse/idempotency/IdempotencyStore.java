package dev.gatehouse.idempotency;

import dev.gatehouse.StoredResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Where claims and recorded responses live. Keys are digests computed by the policy (never raw client input);
 * every operation is atomic per key. Implementations throw {@link IdempotencyStoreException} when they cannot
 * answer.
 */
public interface IdempotencyStore {
    /** What {@link #claim} found. */
    sealed interface Claim {
        /** The key was free and is now held by {@code token} until the lease ends. */
        record Claimed(String token) implements Claim {}

        /** Another request holds the key. */
        record InFlight(String fingerprint) implements Claim {}

        /**
         * The key's request completed; its response, when it could be recorded, is {@code response} (empty when
         * it was too large or not fully sent: the request is not executed again, and is not replayed either).
         */
        record Completed(String fingerprint, Optional<StoredResponse> response) implements Claim {}
    }

    /** Claims {@code key} for a request with {@code fingerprint}, for at most {@code lease}, unless it is taken. */
    Claim claim(String key, String fingerprint, Duration lease);

    /**
     * Records the outcome of the request holding {@code key} with {@code token}, kept for {@code ttl}; also when
     * its lease lapsed before it ended and nobody has claimed the key since (the request ran, however long it
     * took), never over another request's claim.
     */
    void complete(String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl);

    /** Gives up a claim whose request never reached the service, so that a retry may run. */
    void release(String key, String token);
}
