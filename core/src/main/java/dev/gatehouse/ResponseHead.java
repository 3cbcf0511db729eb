package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A response just before it is committed: its status and headers, which policies may edit in {@link
 * OffloadPolicy#onResponse}, and the body transforms they install.
 *
 * <p>Transforms stack in the order policies install them. Response hooks run innermost-first, so the
 * innermost policy's transform sees the service's bytes first and the outermost one's output reaches the
 * client: an idempotency store records the plain body and compression encodes it afterwards.
 */
public final class ResponseHead {
    private final Headers headers;
    private final Headers.Journal journal;
    private final boolean replaceable;
    private int status;
    private boolean bodyTransformable;
    private boolean replaced;
    private List<BodyTransform> transforms = List.of();

    private ResponseHead(int status, Headers headers, boolean bodyTransformable, boolean replaceable) {
        this.status = status;
        this.headers = headers.isImmutable() ? headers.copy() : headers;
        this.journal = this.headers.journal();
        this.bodyTransformable = bodyTransformable;
        this.replaceable = replaceable;
    }

    /**
     * A head whose body the host will stream through the installed transforms. The head takes mutable {@code
     * headers} over (policies edit them in place) and copies immutable ones.
     */
    public static ResponseHead of(int status, Headers headers) {
        return new ResponseHead(status, requireNonNull(headers, "headers"), true, true);
    }

    /**
     * A head whose body the host writes itself, such as a container error page after {@code sendError}:
     * headers may change, the body may not. The head takes mutable {@code headers} over, as {@link #of} does.
     */
    public static ResponseHead withFixedBody(int status, Headers headers) {
        return new ResponseHead(status, requireNonNull(headers, "headers"), false, false);
    }

    /**
     * A head with no body for the policies to transform (a JAX-RS response without an entity) that the host can
     * still {@linkplain #replaceWith replace}: once replaced, the host writes the replacement's body. The head takes
     * mutable {@code headers} over, as {@link #of} does.
     */
    public static ResponseHead withoutBody(int status, Headers headers) {
        return new ResponseHead(status, requireNonNull(headers, "headers"), false, true);
    }

    /** The status to send: the service's, or the replacement's once {@linkplain #replaceWith replaced}. */
    public int status() {
        return status;
    }

    /** The response headers, to edit in place. */
    public Headers headers() {
        return headers;
    }

    public void setHeader(String name, String value) {
        headers.set(name, value);
    }

    public void removeHeader(String name) {
        headers.remove(name);
    }

    /** Whether the body can be transformed; false for bodies the host writes itself. */
    public boolean bodyTransformable() {
        return bodyTransformable;
    }

    /**
     * Installs a body transform.
     *
     * @throws IllegalStateException when {@link #bodyTransformable()} is false
     */
    public void transformBody(BodyTransform transform) {
        requireNonNull(transform, "transform");
        checkState(
                bodyTransformable,
                "transformBody: a %s body written by the host (expected: bodyTransformable())",
                status);
        if (transforms.isEmpty()) {
            transforms = new ArrayList<>(2);
        }
        transforms.add(transform);
    }

    public boolean hasTransforms() {
        return !transforms.isEmpty();
    }

    /** Whether {@link #replaceWith} can answer in the service's place; false for bodies the host writes itself. */
    public boolean replaceable() {
        return replaceable;
    }

    /**
     * Answers with {@code response} instead of what the service sent: its status, its headers (with the {@code
     * Content-Length} of its body) and its body. What the service writes is dropped, and so are the transforms
     * installed before this call; the policies whose hooks run later see the replacement and may transform its
     * body. A shared cache uses it to serve a stored response in place of the 304 it asked the service for, or of
     * a 5xx ({@code stale-if-error}).
     *
     * @throws IllegalStateException when {@link #replaceable()} is false
     */
    public void replaceWith(StoredResponse response) {
        requireNonNull(response, "response");
        checkState(replaceable, "replaceWith: a %s body written by the host (expected: replaceable())", status);
        status = response.status();
        for (String name : List.copyOf(headers.names())) {
            headers.remove(name);
        }
        headers.addAll(response.headers());
        headers.set("Content-Length", Integer.toString(response.bodyLength()));
        transforms = new ArrayList<>(2);
        transforms.add(downstream -> new Substitute(downstream, response));
        bodyTransformable = true;
        replaced = true;
    }

    /** Whether a policy {@linkplain #replaceWith replaced} the service's response. */
    public boolean replaced() {
        return replaced;
    }

    /**
     * Adds {@code token} to {@code Vary} unless it is listed already (in any letter case) or {@code Vary: *}
     * says everything varies. Existing fields are merged into one.
     */
    public void addVary(String token) {
        Headers.checkName(token);
        if (!headers.contains("Vary")) {
            headers.add("Vary", token);
            return;
        }
        Set<String> tokens = new LinkedHashSet<>();
        for (String value : headers.all("Vary")) {
            for (String listed : value.split(",")) {
                String trimmed = listed.trim();
                if (trimmed.equals("*")) {
                    return;
                }
                if (!trimmed.isEmpty() && tokens.stream().noneMatch(trimmed::equalsIgnoreCase)) {
                    tokens.add(trimmed);
                }
            }
        }
        if (tokens.stream().noneMatch(token::equalsIgnoreCase)) {
            tokens.add(token);
        }
        headers.set("Vary", String.join(", ", tokens));
    }

    /**
     * The names whose values differ from those the head was created with: what a host writes back. Each name comes
     * once, in the spelling a policy first edited it with; {@code contains} ignores letter case. The head records
     * the edits as policies make them, so nothing is copied or compared beyond the names they touched.
     */
    public Set<String> changedHeaderNames() {
        return journal.changed();
    }

    /** Wraps the host's stream in the installed transforms; the first installed receives the body first. */
    public OutputStream wrapBody(OutputStream downstream) throws IOException {
        OutputStream out = downstream;
        for (int i = transforms.size() - 1; i >= 0; i--) {
            out = transforms.get(i).wrap(out);
        }
        return out;
    }

    /** Drops the service's bytes and writes the replacement's body when the host ends the body. */
    private static final class Substitute extends OutputStream {
        private final OutputStream downstream;
        private final StoredResponse response;
        private boolean closed;

        Substitute(OutputStream downstream, StoredResponse response) {
            this.downstream = downstream;
            this.response = response;
        }

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] bytes, int offset, int length) {}

        @Override
        public void flush() throws IOException {
            downstream.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try (downstream) {
                response.writeBodyTo(downstream);
            }
        }
    }

    @Override
    public String toString() {
        return "ResponseHead[" + status + ", " + headers + ", " + transforms.size() + " transforms]";
    }
}
