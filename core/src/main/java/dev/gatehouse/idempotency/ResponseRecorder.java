package dev.gatehouse.idempotency;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response of one request that holds a claimed key: captured as it passes (status, end-to-end headers, the
 * body up to a limit) and recorded in the store once — when the body ends, before its last bytes reach the
 * client, so that a client retrying as soon as it has the response gets the replay and not a 409; or at the end
 * of the exchange when the body never ended, then as not replayable.
 */
final class ResponseRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseRecorder.class);
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
    private final String storeKey;
    private final String token;
    private final String fingerprint;
    private final Duration ttl;
    private final int maxBodyBytes;
    private int status;
    private @Nullable Headers headers;
    private @Nullable ByteArrayOutputStream body;
    private boolean bodyComplete;
    private boolean oversized;
    private boolean recorded;
    private long declaredLength = -1;
    private long written;

    ResponseRecorder(
            IdempotencyStore store, String storeKey, String token, String fingerprint, Duration ttl, int maxBodyBytes) {
        this.store = store;
        this.storeKey = storeKey;
        this.token = token;
        this.fingerprint = fingerprint;
        this.ttl = ttl;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Keeps the status and end-to-end headers, and copies the body as it streams when there is one to copy. */
    void capture(ResponseHead response, boolean head) {
        status = response.status();
        Headers kept = Headers.create();
        Headers all = response.headers();
        for (int i = 0; i < all.size(); i++) {
            if (!NOT_RECORDED.contains(all.name(i).toLowerCase(Locale.ROOT))) {
                kept.add(all.name(i), all.value(i));
            }
        }
        headers = kept;
        if (!response.bodyTransformable() || head) {
            return;
        }
        body = new ByteArrayOutputStream();
        // With a declared length the host may end the response as soon as the last byte is written: the key
        // is recorded as that byte passes, before the client can have the response.
        declaredLength =
                all.first("Content-Length").map(ResponseRecorder::parseLength).orElse(-1L);
        response.transformBody(Capture::new);
    }

    /** Gives the key back: its request never reached the service, so a retry may run. */
    void release() {
        try {
            store.release(storeKey, token);
        } catch (RuntimeException e) {
            LOG.error("idempotency: could not release a claimed key; its lease will free it", e);
        }
    }

    /** Records the outcome, once: the response when it was captured whole, else "completed, not replayable". */
    void record() {
        synchronized (this) {
            if (recorded) {
                return;
            }
            recorded = true;
        }
        try {
            Optional<StoredResponse> response = headers != null && body != null && bodyComplete && !oversized
                    ? Optional.of(StoredResponse.of(status, headers, body.toByteArray()))
                    : Optional.empty();
            store.complete(storeKey, token, fingerprint, response, ttl);
        } catch (RuntimeException e) {
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

        Capture(OutputStream downstream) {
            this.downstream = downstream;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            ByteArrayOutputStream copy = body;
            if (!oversized && copy != null) {
                if (copy.size() + length > maxBodyBytes) {
                    oversized = true;
                    body = new ByteArrayOutputStream(0);
                } else {
                    copy.write(bytes, offset, length);
                }
            }
            written += length;
            if (declaredLength >= 0 && written >= declaredLength) {
                bodyComplete = true;
                record();
            }
            downstream.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            downstream.flush();
        }

        @Override
        public void close() throws IOException {
            bodyComplete = true;
            record();
            downstream.close();
        }
    }
}
