package dev.gatehouse.idempotency;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.ClientAddress;
import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoreHealth;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Printable;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Executes a retried non-idempotent request once: the first request with an {@code Idempotency-Key} runs, its
 * response is recorded, and retries get that response back — success or error alike — marked {@code
 * Idempotent-Replayed: true}, without reaching the service (draft-ietf-httpapi-idempotency-key-header, with
 * Stripe's semantics).
 *
 * <ul>
 *   <li>Applies to POST and PATCH by default; other methods pass untouched. A missing key is 400 when
 *       {@linkplain Builder#required() required}, otherwise the request simply runs.
 *   <li>The key is an {@link IdempotencyKey}: a structured-field string, or leniently a token; empty, non-ASCII,
 *       lists, over 255 characters or several fields → 400.
 *   <li>Keys are scoped by the authenticated principal (by the client address without one), so one client
 *       never receives another's response; place the policy after authentication. Store keys are SHA-256
 *       digests of scope and key.
 *   <li>The request's fingerprint is method, path, query and the SHA-256 of the body, which the chain buffers
 *       for it (at most {@code maxBodyBytes}, 1 MiB by default, else the chain's 413): the same key with a
 *       different request → 422.
 *   <li>While the first request runs (its claim has a {@code lease}, 60 s by default — set it above your
 *       upstream timeout), retries get 409 with {@code Retry-After}. A lease that ends without a record frees
 *       the key, so a crashed request cannot wedge it.
 *   <li>Only requests that reached the service are recorded; refusals by any policy (401, 429, 413, 400) are
 *       not, and a corrected retry runs. The record keeps status, end-to-end headers (not {@code Set-Cookie},
 *       framing, {@code Date} or per-request ids) and the body up to {@code maxStoredBodyBytes} (1 MiB) for
 *       {@code ttl} (24 h). A larger or unfinished response is recorded as "completed, not replayable": retries
 *       get 409 and the request never runs twice.
 *   <li>When the store fails, its {@link ResilientIdempotencyStore} answers: 503 by default (a duplicate
 *       execution is worse than an error), or run without idempotency; see {@link #storeHealth()}.
 *   <li>Replays pass outward through the outer policies: request id, rate-limit fields, compression for the
 *       retry's {@code Accept-Encoding}. Recorded bodies are uncompressed when the policy sits inside the
 *       compression policy, as in the recommended order.
 * </ul>
 */
public final class IdempotencyPolicy implements OffloadPolicy {
    private static final AttributeKey<ResponseRecorder> RECORDER =
            AttributeKey.of("gatehouse.idempotency", ResponseRecorder.class);

    /**
     * Set by a service that could not deliver the request to its origin, before it answers with an error of its own
     * (a proxy's 502, 503 or 504): that answer is not the origin's, and is never recorded for replay.
     */
    public static final AttributeKey<Undelivered> UNDELIVERED =
            AttributeKey.of("gatehouse.idempotency.undelivered", Undelivered.class);

    /** Why the origin never answered, and so what becomes of the key. */
    public enum Undelivered {
        /** The request never left (no connection, no healthy upstream, an open breaker): the key is free at once. */
        NOT_SENT,
        /**
         * The request left but no whole answer came back (a timeout, a reset): the origin may have acted, so the
         * claim lapses at its lease, and a retry after it runs.
         */
        NO_ANSWER
    }

    private static final String HEADER = "Idempotency-Key";

    private final ResilientIdempotencyStore store;
    private final Set<String> methods;
    private final boolean required;
    private final Duration lease;
    private final Duration ttl;
    private final int maxBodyBytes;
    private final int maxStoredBodyBytes;
    private final ClientAddress clientAddress;

    private IdempotencyPolicy(Builder builder) {
        this.store = builder.store;
        this.methods = Set.copyOf(builder.methods);
        this.required = builder.required;
        this.lease = builder.lease;
        this.ttl = builder.ttl;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.maxStoredBodyBytes = builder.maxStoredBodyBytes;
        this.clientAddress = builder.clientAddress;
    }

    /**
     * A policy keeping claims and records in {@code store}; a store that is not a {@link
     * ResilientIdempotencyStore} is wrapped in one with its defaults (fail closed).
     */
    public static Builder builder(IdempotencyStore store) {
        return new Builder(store);
    }

    /** The body is read only for requests with one well-formed key: only they are fingerprinted. */
    @Override
    public int requestBodyLimit(Exchange exchange) {
        if (!methods.contains(exchange.method()) || exchange.requestHeaders().count(HEADER) != 1) {
            return 0;
        }
        return IdempotencyKey.parse(exchange.requestHeaders().first(HEADER).orElseThrow())
                        .isPresent()
                ? maxBodyBytes
                : 0;
    }

    @Override
    public int requestBodyLimit() {
        return maxBodyBytes;
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        if (!methods.contains(exchange.method())) {
            return Decision.proceed();
        }
        Headers headers = exchange.requestHeaders();
        int fields = headers.count(HEADER);
        if (fields == 0) {
            return required
                    ? Decision.reject(400, "This request requires an Idempotency-Key header.")
                            .because("Idempotency-Key missing")
                    : Decision.proceed();
        }
        if (fields > 1) {
            return Decision.reject(400, "Send one Idempotency-Key header.").because(fields + " Idempotency-Key fields");
        }
        String raw = headers.first(HEADER).orElseThrow();
        Optional<IdempotencyKey> key = IdempotencyKey.parse(raw);
        if (key.isEmpty()) {
            return Decision.reject(
                            400, "The Idempotency-Key must be a quoted string of 1 to 255 visible ASCII characters.")
                    .because("malformed Idempotency-Key " + Printable.of(raw, 40));
        }
        String fingerprint = Fingerprints.of(exchange);
        String scope = Principal.of(exchange)
                .map(Principal::key)
                .orElseGet(() -> "address:" + clientAddress.resolve(exchange));
        String storeKey = Digests.sha256Hex(scope + "\u0000" + key.get().value());

        ResilientIdempotencyStore.Answer answer = store.guardedClaim(storeKey, fingerprint, lease);
        if (answer instanceof ResilientIdempotencyStore.Answer.AdmittedWithoutStore open) {
            return Decision.proceed().because("store unavailable (" + open.cause() + "): failed open");
        }
        if (answer instanceof ResilientIdempotencyStore.Answer.Refused refused) {
            return Decision.reject(
                            Problem.of(503, "Idempotency is temporarily unavailable; retry later."),
                            Headers.of("Retry-After", Long.toString(refused.retryAfterSeconds())))
                    .because("store unavailable (" + refused.cause() + "): failed closed");
        }
        IdempotencyStore.Claim claim = ((ResilientIdempotencyStore.Answer.Found) answer).claim();
        if (claim instanceof IdempotencyStore.Claim.Claimed claimed) {
            exchange.setAttribute(
                    RECORDER,
                    new ResponseRecorder(
                            store,
                            storeKey,
                            claimed.token(),
                            fingerprint,
                            ttl,
                            maxStoredBodyBytes,
                            () -> exchange.attribute(UNDELIVERED).orElse(null)));
            return Decision.proceed();
        }
        if (claim instanceof IdempotencyStore.Claim.InFlight inFlight) {
            return !inFlight.fingerprint().equals(fingerprint)
                    ? mismatch()
                    : Decision.reject(
                                    Problem.of(
                                            409,
                                            "A request with this Idempotency-Key is still being processed;"
                                                    + " retry later."),
                                    Headers.of("Retry-After", "1"))
                            .because("key in flight");
        }
        return replay((IdempotencyStore.Claim.Completed) claim, fingerprint);
    }

    private static Decision replay(IdempotencyStore.Claim.Completed completed, String fingerprint) {
        if (!completed.fingerprint().equals(fingerprint)) {
            return mismatch();
        }
        if (completed.response().isEmpty()) {
            return Decision.reject(
                            409,
                            "The request with this Idempotency-Key completed, but its response was not recorded;"
                                    + " it will not run again.")
                    .because("key completed without a replayable response");
        }
        StoredResponse original = completed.response().get();
        Headers replayed = original.headers().copy();
        replayed.set("Idempotent-Replayed", "true");
        return Decision.replay(StoredResponse.of(original.status(), replayed, original.body()))
                .because("replayed " + original.status());
    }

    private static Decision mismatch() {
        return Decision.reject(422, "This Idempotency-Key was used with a different request.")
                .because("key reused with a different request");
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        Optional<ResponseRecorder> recorder = exchange.attribute(RECORDER);
        if (recorder.isPresent() && exchange.attribute(PolicyChain.PROCEEDED).isPresent()) {
            recorder.get().capture(response, exchange.method().equals("HEAD"));
        }
    }

    @Override
    public void onComplete(Exchange exchange, Completion completion) {
        exchange.attribute(RECORDER).ifPresent(recorder -> {
            if (exchange.attribute(PolicyChain.PROCEEDED).isEmpty()) {
                recorder.release();
            } else if (completion.failed()) {
                recorder.abandon(completion.failure().orElseThrow());
            } else {
                recorder.record();
            }
        });
    }

    /** The health of this policy's store: for metrics ({@code MicrometerChainListener}) and health pages. */
    public StoreHealth storeHealth() {
        return store;
    }

    /** Refuses on missing keys and spends storage: a CORS preflight or a denied address is answered first. */
    @Override
    public Placement placement() {
        return Placement.GUARD;
    }

    @Override
    public String name() {
        return "idempotency";
    }

    @Override
    public String toString() {
        return "IdempotencyPolicy[" + methods + (required ? ", required, " : ", ") + store + "]";
    }

    public static final class Builder {
        private final ResilientIdempotencyStore store;
        private Set<String> methods = Set.of("POST", "PATCH");
        private boolean required;
        private Duration lease = Duration.ofSeconds(60);
        private Duration ttl = Duration.ofHours(24);
        private int maxBodyBytes = 1024 * 1024;
        private int maxStoredBodyBytes = 1024 * 1024;
        private ClientAddress clientAddress = ClientAddress.direct();

        private Builder(IdempotencyStore store) {
            requireNonNull(store, "store");
            this.store = store instanceof ResilientIdempotencyStore resilient
                    ? resilient
                    : ResilientIdempotencyStore.of(store);
        }

        /** The methods keys apply to; POST and PATCH by default. */
        public Builder methods(String... methods) {
            checkArgument(methods.length > 0, "methods: none (expected: e.g. POST, PATCH)");
            this.methods = Set.of(methods);
            return this;
        }

        /** Refuses requests of those methods without a key (400). */
        public Builder required() {
            this.required = true;
            return this;
        }

        /** How long a claim holds a key while its request runs; keep it above the upstream timeout. 60 s. */
        public Builder lease(Duration lease) {
            checkArgument(!lease.isNegative() && !lease.isZero(), "lease: %s (expected: > 0)", lease);
            this.lease = lease;
            return this;
        }

        /** How long a response is kept for replays; 24 hours by default. */
        public Builder ttl(Duration ttl) {
            checkArgument(!ttl.isNegative() && !ttl.isZero(), "ttl: %s (expected: > 0)", ttl);
            this.ttl = ttl;
            return this;
        }

        /** The largest request body fingerprinted (larger → the chain's 413); 1 MiB by default. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            checkArgument(maxBodyBytes > 0, "maxBodyBytes: %s (expected: > 0)", maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** The largest response body recorded; larger responses are not replayable (retries get 409). */
        public Builder maxStoredBodyBytes(int maxStoredBodyBytes) {
            checkArgument(maxStoredBodyBytes >= 0, "maxStoredBodyBytes: %s (expected: >= 0)", maxStoredBodyBytes);
            this.maxStoredBodyBytes = maxStoredBodyBytes;
            return this;
        }

        /** How anonymous requests are scoped: by this client address (the peer by default). */
        public Builder clientAddress(ClientAddress clientAddress) {
            this.clientAddress = requireNonNull(clientAddress, "clientAddress");
            return this;
        }

        public IdempotencyPolicy build() {
            return new IdempotencyPolicy(this);
        }
    }
}
