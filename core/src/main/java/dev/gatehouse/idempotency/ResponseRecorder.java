package dev.gatehouse.idempotency;

import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.ResponseCapture;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response of one request that holds a claimed key: captured as it passes (status, end-to-end headers, the
 * body up to a limit) and recorded in the store once — when the body ends, before its last bytes reach the
 * client, so that a client retrying as soon as it has the response gets the replay and not a 409; or at the end
 * of the exchange when the body never ended, then as not replayable. An exchange that failed before its response
 * was recorded (the service died mid-body) records nothing: the claim lapses at its lease, and a retry after it
 * runs, rather than a 409 until the record's TTL.
 */
final class ResponseRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseRecorder.class);
    /** Fields a record never keeps: framing, per-exchange values, and cookies a replay must not re-send. */
    private static final Set<String> NOT_RECORDED = notRecorded();

    private final IdempotencyStore store;
    private final String storeKey;
    private final String token;
    private final String fingerprint;
    private final Duration ttl;
    private final ResponseCapture capture;
    private final Supplier<IdempotencyPolicy.@Nullable Undelivered> undelivered;
    private boolean recorded;

    ResponseRecorder(
            IdempotencyStore store,
            String storeKey,
            String token,
            String fingerprint,
            Duration ttl,
            int maxBodyBytes,
            Supplier<IdempotencyPolicy.@Nullable Undelivered> undelivered) {
        this.undelivered = undelivered;
        this.store = store;
        this.storeKey = storeKey;
        this.token = token;
        this.fingerprint = fingerprint;
        this.ttl = ttl;
        this.capture = new ResponseCapture(NOT_RECORDED, maxBodyBytes, this::record);
    }

    private static Set<String> notRecorded() {
        Set<String> names = new HashSet<>(ResponseCapture.FRAMING);
        names.addAll(List.of(
                "date", "set-cookie", "x-request-id", "traceparent", "tracestate", "ratelimit", "ratelimit-policy"));
        return Set.copyOf(names);
    }

    /** Keeps the status and end-to-end headers, and copies the body as it streams when there is one to copy. */
    void capture(ResponseHead response, boolean head) {
        capture.capture(response, head);
    }

    /** Gives the key back: its request never reached the service, so a retry may run. */
    void release() {
        try {
            store.release(storeKey, token);
        } catch (RuntimeException e) {
            LOG.error("idempotency: could not release a claimed key; its lease will free it", e);
        }
    }

    /** The exchange failed: what was recorded stays, else nothing is, and the claim lapses at its lease. */
    void abandon(Throwable failure) {
        synchronized (this) {
            if (recorded) {
                return;
            }
            recorded = true;
        }
        LOG.info(
                "idempotency: the exchange failed before its response was recorded ({}); the key is free again once"
                        + " its lease ends",
                failure.getClass().getSimpleName());
    }

    /**
     * Records the outcome, once: the response when it was captured whole, else "completed, not replayable"; nothing
     * when the service says the origin never answered ({@link IdempotencyPolicy#UNDELIVERED}): the key is released,
     * or left to lapse at its lease.
     */
    void record() {
        synchronized (this) {
            if (recorded) {
                return;
            }
            recorded = true;
        }
        IdempotencyPolicy.Undelivered why = undelivered.get();
        if (why == IdempotencyPolicy.Undelivered.NOT_SENT) {
            release();
            return;
        }
        if (why == IdempotencyPolicy.Undelivered.NO_ANSWER) {
            LOG.info("idempotency: the origin never answered; the key is free again once its lease ends");
            return;
        }
        try {
            Optional<StoredResponse> response = capture.response();
            store.complete(storeKey, token, fingerprint, response, ttl);
        } catch (RuntimeException e) {
            LOG.error("idempotency: could not record the response of a claimed key; its lease will free it", e);
        }
    }
}
