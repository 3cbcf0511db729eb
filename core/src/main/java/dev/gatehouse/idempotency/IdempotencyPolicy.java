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
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Printable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes a retried non-idempotent request once: the first request with an {@code Idempotency-Key} runs, its
 * response is recorded, and retries get that response back — success or error alike — marked {@code
 * Idempotent-Replayed: true}, without reaching the service (draft-ietf-httpapi-idempotency-key-header, with
 * Stripe's semantics).
 *
 * <ul>
 *   <li>Applies to POST and PATCH by default; other methods pass untouched. A missing key is 400 when
 *       {@linkplain Builder#required() required}, otherwise the request simply runs.
 *   <li>The key is a structured-field string ({@code "8e03978e-40d5-43e8-bc93-6894a57f9324"}); an unquoted
 *       token is accepted too, since many clients send one. Empty, non-ASCII, lists, over 255 characters or
 *       several fields → 400.
 *   <li>Keys are scoped by the authenticated principal (by the client address without one), so one client
 *       never receives another's response; place the policy after authentication. Store keys are SHA-256
 *       digests of scope and key.
 *   <li>The request's fingerprint is method, path, query and the SHA-256 of the body (at most {@code
 *       maxBodyBytes}, 1 MiB by default, else 413): the same key with a different request → 422.
 *   <li>While the first request runs (its claim has a {@code lease}, 60 s by default — set it above your
 *       upstream timeout), retries get 409 with {@code Retry-After}. A lease that ends without a record frees
 *       the key, so a crashed request cannot wedge it.
 *   <li>Only requests that reached the service are recorded; refusals by any policy (401, 429, 413, 400) are
 *       not, and a corrected retry runs. The record keeps status, end-to-end headers (not {@code Set-Cookie},
 *       framing, {@code Date} or per-request ids) and the body up to {@code maxStoredBodyBytes} (1 MiB) for
 *       {@code ttl} (24 h). A larger or unfinished response is recorded as "completed, not replayable": retries
 *       get 409 and the request never runs twice.
 *   <li>When the store fails: fail closed with 503 by default (a duplicate execution is worse than an
 *       error), or fail open.
 *   <li>Replays pass outward through the outer policies: request id, rate-limit fields, compression for the
 *       retry's {@code Accept-Encoding}. Recorded bodies are uncompressed when the policy sits inside the
 *       compression policy, as in the recommended order.
 * </ul>
 */
public final class IdempotencyPolicy implements OffloadPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyPolicy.class);
    private static final AttributeKey<Held> HELD = AttributeKey.of("gatehouse.idempotency", Held.class);
    private static final String HEADER = "Idempotency-Key";
    private static final int MAX_KEY_LENGTH = 255;
    /** Fields a record never keeps: framing, per-exchange values, and cookies a replay must not re-send. */
    private static final Set<String> NOT_RECORDED = Set.of(
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "proxy-connection",
            "upgrade",
            "te",
            "trailer",
            "date",
            "set-cookie",
            "x-request-id",
            "traceparent",
            "tracestate",
            "ratelimit",
            "ratelimit-policy");

    private final IdempotencyStore store;
    private final Set<String> methods;
    private final boolean required;
    private final Duration lease;
    private final Duration ttl;
    private final int maxBodyBytes;
    private final int maxStoredBodyBytes;
    private final boolean failOpen;
    private final ClientAddress clientAddress;

    /** The claim this exchange holds, and what the response hook captured. */
    private static final class Held {
        final String storeKey;
        final String token;
        final String fingerprint;
        int status;
        Headers headers;
        ByteArrayOutputStream body;
        boolean bodyComplete;
        boolean oversized;
        boolean recorded;
        long declaredLength = -1;
        long written;

        Held(String storeKey, String token, String fingerprint) {
            this.storeKey = storeKey;
            this.token = token;
            this.fingerprint = fingerprint;
        }
    }

    private final AtomicLong storeFailures = new AtomicLong();
    private volatile boolean storeDown;

    private IdempotencyPolicy(Builder builder) {
        this.store = builder.store;
        this.methods = Set.copyOf(builder.methods);
        this.required = builder.required;
        this.lease = builder.lease;
        this.ttl = builder.ttl;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.maxStoredBodyBytes = builder.maxStoredBodyBytes;
        this.failOpen = builder.failOpen;
        this.clientAddress = builder.clientAddress;
    }

    public static Builder builder(IdempotencyStore store) {
        return new Builder(store);
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
        Optional<String> key = parseKey(raw);
        if (key.isEmpty()) {
            return Decision.reject(
                            400, "The Idempotency-Key must be a quoted string of 1 to 255 visible ASCII characters.")
                    .because("malformed Idempotency-Key " + Printable.of(raw, 40));
        }
        try {
            if (!exchange.bufferBody(maxBodyBytes)) {
                return Decision.reject(413, "The request body is larger than " + maxBodyBytes + " bytes.")
                        .because("idempotent body over " + maxBodyBytes + " bytes");
            }
        } catch (IOException e) {
            return Decision.reject(400, "The request body could not be read.").because("body unreadable: " + e);
        }
        String fingerprint = fingerprint(exchange);
        String scope = Principal.of(exchange)
                .map(principal -> principal.method() + ":" + principal.subject())
                .orElseGet(() -> "address:" + clientAddress.resolve(exchange));
        String storeKey = sha256Hex(scope + "\u0000" + key.get());

        IdempotencyStore.Claim claim;
        try {
            claim = store.claim(storeKey, fingerprint, lease);
            storeDown = false;
        } catch (IdempotencyStoreException e) {
            return storeFailed(e);
        }
        if (claim instanceof IdempotencyStore.Claim.Claimed claimed) {
            exchange.setAttribute(HELD, new Held(storeKey, claimed.token(), fingerprint));
            return Decision.proceed();
        }
        if (claim instanceof IdempotencyStore.Claim.InFlight inFlight) {
            if (!inFlight.fingerprint().equals(fingerprint)) {
                return mismatch();
            }
            return Decision.reject(
                            Problem.of(
                                    409, "A request with this Idempotency-Key is still being processed; retry later."),
                            Headers.of("Retry-After", "1"))
                    .because("key in flight");
        }
        IdempotencyStore.Claim.Completed completed = (IdempotencyStore.Claim.Completed) claim;
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

    /** How many store calls failed since this policy was built: for metrics. */
    public long storeFailures() {
        return storeFailures.get();
    }

    /** Whether the last claim failed because the store was unavailable: for metrics and health pages. */
    public boolean storeDown() {
        return storeDown;
    }

    private Decision storeFailed(IdempotencyStoreException e) {
        storeFailures.incrementAndGet();
        storeDown = true;
        if (failOpen) {
            return Decision.proceed().because("store unavailable (" + e.getMessage() + "): failed open");
        }
        return Decision.reject(
                        Problem.of(503, "Idempotency is temporarily unavailable; retry later."),
                        Headers.of("Retry-After", "1"))
                .because("store unavailable (" + e.getMessage() + "): failed closed");
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        Optional<Held> found = exchange.attribute(HELD);
        if (found.isEmpty() || exchange.attribute(PolicyChain.PROCEEDED).isEmpty()) {
            return;
        }
        Held held = found.get();
        held.status = response.status();
        Headers recorded = Headers.create();
        Headers headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (!NOT_RECORDED.contains(headers.name(i).toLowerCase(Locale.ROOT))) {
                recorded.add(headers.name(i), headers.value(i));
            }
        }
        held.headers = recorded;
        if (!response.bodyTransformable() || exchange.method().equals("HEAD")) {
            return;
        }
        held.body = new ByteArrayOutputStream();
        // With a declared length the host may end the response as soon as the last byte is written: the key
        // is recorded as that byte passes, before the client can have the response.
        held.declaredLength = headers.first("Content-Length")
                .map(IdempotencyPolicy::parseLength)
                .orElse(-1L);
        response.transformBody(downstream -> new Capture(downstream, held, maxStoredBodyBytes));
    }

    @Override
    public void onComplete(Exchange exchange, Completion completion) {
        Optional<Held> found = exchange.attribute(HELD);
        if (found.isEmpty()) {
            return;
        }
        Held held = found.get();
        if (exchange.attribute(PolicyChain.PROCEEDED).isEmpty()) {
            try {
                store.release(held.storeKey, held.token);
            } catch (RuntimeException e) {
                storeFailures.incrementAndGet();
                LOG.error("idempotency: could not release a claimed key; its lease will free it", e);
            }
            return;
        }
        record(held);
    }

    /**
     * Records the outcome of a claimed key, once: when the service's body ends — before its last bytes reach the
     * client, so that a client retrying as soon as it has the response gets the replay, not a 409 — or at the
     * end of the exchange when the body never ended (then as not replayable).
     */
    private void record(Held held) {
        synchronized (held) {
            if (held.recorded) {
                return;
            }
            held.recorded = true;
        }
        try {
            Optional<StoredResponse> response =
                    held.headers != null && held.body != null && held.bodyComplete && !held.oversized
                            ? Optional.of(StoredResponse.of(held.status, held.headers, held.body.toByteArray()))
                            : Optional.empty();
            store.complete(held.storeKey, held.token, held.fingerprint, response, ttl);
        } catch (RuntimeException e) {
            storeFailures.incrementAndGet();
            LOG.error("idempotency: could not record the response of a claimed key; its lease will free it", e);
        }
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Passes the body on, keeping a copy up to the limit, and records the key when the body ends. */
    private final class Capture extends OutputStream {
        private final OutputStream downstream;
        private final Held held;
        private final int limit;

        Capture(OutputStream downstream, Held held, int limit) {
            this.downstream = downstream;
            this.held = held;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (!held.oversized) {
                if (held.body.size() + length > limit) {
                    held.oversized = true;
                    held.body = new ByteArrayOutputStream(0);
                } else {
                    held.body.write(bytes, offset, length);
                }
            }
            held.written += length;
            if (held.declaredLength >= 0 && held.written >= held.declaredLength) {
                held.bodyComplete = true;
                record(held);
            }
            downstream.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            downstream.flush();
        }

        @Override
        public void close() throws IOException {
            held.bodyComplete = true;
            record(held);
            downstream.close();
        }
    }

    /** An sf-string ({@code "..."}, with {@code \"} and {@code \\} escapes) or, leniently, an unquoted token. */
    static Optional<String> parseKey(String raw) {
        String value = raw.strip();
        String key;
        if (value.startsWith("\"")) {
            StringBuilder text = new StringBuilder();
            int i = 1;
            boolean closed = false;
            while (i < value.length()) {
                char c = value.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= value.length() || (value.charAt(i + 1) != '"' && value.charAt(i + 1) != '\\')) {
                        return Optional.empty();
                    }
                    text.append(value.charAt(i + 1));
                    i += 2;
                } else if (c == '"') {
                    closed = i == value.length() - 1;
                    break;
                } else if (c < 0x20 || c > 0x7e) {
                    return Optional.empty();
                } else {
                    text.append(c);
                    i++;
                }
            }
            if (!closed) {
                return Optional.empty();
            }
            key = text.toString();
        } else {
            if (!value.matches("[A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~:/-]*")) {
                return Optional.empty();
            }
            key = value;
        }
        return key.isEmpty() || key.length() > MAX_KEY_LENGTH ? Optional.empty() : Optional.of(key);
    }

    private static String fingerprint(Exchange exchange) {
        MessageDigest digest = sha256();
        digest.update(exchange.method().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(exchange.path().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(exchange.query().orElse("").getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        exchange.body().ifPresent(body -> body.update(digest));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256Hex(String text) {
        return Digests.sha256Hex(text);
    }

    private static MessageDigest sha256() {
        return Digests.sha256();
    }

    @Override
    public String name() {
        return "idempotency";
    }

    public static final class Builder {
        private final IdempotencyStore store;
        private Set<String> methods = Set.of("POST", "PATCH");
        private boolean required;
        private Duration lease = Duration.ofSeconds(60);
        private Duration ttl = Duration.ofHours(24);
        private int maxBodyBytes = 1024 * 1024;
        private int maxStoredBodyBytes = 1024 * 1024;
        private boolean failOpen;
        private ClientAddress clientAddress = ClientAddress.direct();

        private Builder(IdempotencyStore store) {
            this.store = requireNonNull(store, "store");
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

        /** The largest request body fingerprinted (larger → 413); 1 MiB by default. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            checkArgument(maxBodyBytes >= 0, "maxBodyBytes: %s (expected: >= 0)", maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** The largest response body recorded; larger responses are not replayable (retries get 409). */
        public Builder maxStoredBodyBytes(int maxStoredBodyBytes) {
            checkArgument(maxStoredBodyBytes >= 0, "maxStoredBodyBytes: %s (expected: >= 0)", maxStoredBodyBytes);
            this.maxStoredBodyBytes = maxStoredBodyBytes;
            return this;
        }

        /** Lets requests through without idempotency while the store is down (the default is 503). */
        public Builder failOpen() {
            this.failOpen = true;
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
