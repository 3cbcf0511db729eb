package dev.gatehouse.internal;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One response copied as it passes on its way to the client: status, the headers worth keeping, and the body up to
 * a limit. When the body ends — as its last declared byte passes, before the client can have it, or when the host
 * closes the stream — {@code onBodyEnd} runs once. Shared by the policies that store responses (idempotency, the
 * HTTP cache).
 */
public final class ResponseCapture {
    /** Framing and hop-by-hop fields: never part of a stored response. */
    public static final Set<String> FRAMING = Set.of(
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "proxy-connection",
            "upgrade",
            "te",
            "trailer");

    private final Set<String> notKept;
    private final int maxBodyBytes;
    private final Runnable onBodyEnd;
    private int status;
    private @Nullable Headers headers;
    private @Nullable ByteArrayOutputStream body;
    private boolean bodyComplete;
    private boolean oversized;
    private boolean ended;
    private long declaredLength = -1;
    private long written;

    /**
     * @param notKept lower-case names of the fields a stored response never keeps
     * @param maxBodyBytes the longest body kept; a longer one makes the response {@linkplain #response() unstorable}
     * @param onBodyEnd runs once, when the body has ended
     */
    public ResponseCapture(Set<String> notKept, int maxBodyBytes, Runnable onBodyEnd) {
        this.notKept = notKept;
        this.maxBodyBytes = maxBodyBytes;
        this.onBodyEnd = onBodyEnd;
    }

    /** Keeps the status and headers, and copies the body as it streams when there is one to copy. */
    public void capture(ResponseHead response, boolean head) {
        status = response.status();
        Headers kept = Headers.create();
        Headers all = response.headers();
        for (int i = 0; i < all.size(); i++) {
            if (!notKept.contains(all.name(i).toLowerCase(Locale.ROOT))) {
                kept.add(all.name(i), all.value(i));
            }
        }
        headers = kept;
        if (!response.bodyTransformable() || head) {
            return;
        }
        body = new ByteArrayOutputStream();
        // With a declared length the host may end the response as soon as the last byte is written: the body
        // ends as that byte passes, before the client can have the response.
        declaredLength =
                all.first("Content-Length").map(ResponseCapture::parseLength).orElse(-1L);
        response.transformBody(Copy::new);
    }

    /** The response when it was captured whole and within the limit. */
    public Optional<StoredResponse> response() {
        Headers kept = headers;
        ByteArrayOutputStream copy = body;
        return kept != null && copy != null && bodyComplete && !oversized
                ? Optional.of(StoredResponse.of(status, kept, copy.toByteArray()))
                : Optional.empty();
    }

    private void end() {
        bodyComplete = true;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        onBodyEnd.run();
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Passes the body on, keeping a copy up to the limit, and ends the capture when the body ends. */
    private final class Copy extends OutputStream {
        private final OutputStream downstream;

        Copy(OutputStream downstream) {
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
                end();
            }
            downstream.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            downstream.flush();
        }

        @Override
        public void close() throws IOException {
            end();
            downstream.close();
        }
    }
}
