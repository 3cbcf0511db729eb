package dev.gatehouse.host;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.Problem;
import dev.gatehouse.RequestBody;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.Attributes;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The exchange a host builds for each request and hands to {@link ChainRun#start}. */
public final class HostExchange implements Exchange {
    /**
     * What a host answers when the client's header fields cannot make an exchange ({@link Headers} refused a
     * name or value): 400 problem+json, written without running any policy.
     */
    public static final StoredResponse MALFORMED_HEADERS =
            Problem.of(400, "The request has a malformed header field.").toResponse(Headers.empty());

    private final String method;
    private final String path;
    private final Optional<String> query;
    private final String scheme;
    private final Headers headers;
    private final String peerAddress;
    private final List<X509Certificate> clientCertificates;
    private BodySource bodySource;
    private final boolean nonBlocking;
    private boolean bodySupplied;
    private final Attributes attributes = new Attributes();
    private Optional<RequestBody> body = Optional.empty();
    private boolean bodyReplaced;
    private Set<String> edited = Set.of();

    private HostExchange(Builder builder) {
        this.method = builder.method;
        this.path = builder.path;
        this.query = Optional.ofNullable(builder.query);
        this.scheme = builder.scheme;
        this.headers = builder.headers;
        this.peerAddress = builder.peerAddress;
        this.clientCertificates = builder.clientCertificates;
        this.bodySource = builder.body;
        this.nonBlocking = builder.nonBlocking;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Optional<String> query() {
        return query;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public Headers requestHeaders() {
        return headers;
    }

    @Override
    public Set<String> editedRequestHeaders() {
        return Collections.unmodifiableSet(edited);
    }

    /** The chain's set of edited names, live, for {@link #editedRequestHeaders()}. */
    void showEdited(Set<String> names) {
        this.edited = names;
    }

    @Override
    public String peerAddress() {
        return peerAddress;
    }

    @Override
    public List<X509Certificate> clientCertificates() {
        return clientCertificates;
    }

    @Override
    public Optional<RequestBody> body() {
        return body;
    }

    @Override
    public boolean bufferBody(int maxBytes) throws IOException {
        if (body.isPresent()) {
            return body.get().length() <= maxBytes;
        }
        try (InputStream in = bodySource.open()) {
            Optional<RequestBody> read = RequestBodies.read(in, maxBytes);
            body = read;
            return read.isPresent();
        }
    }

    /** Whether the host waits for nothing on a thread ({@link Builder#nonBlocking()}). */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    /**
     * Whether a policy's read of the body must wait for the host: the host is {@linkplain Builder#nonBlocking()
     * non-blocking} and has not yet {@linkplain #supplyBody supplied} the body.
     */
    public boolean awaitsBody() {
        return nonBlocking && !bodySupplied && body.isEmpty();
    }

    /**
     * The body a {@linkplain Builder#nonBlocking() non-blocking} host read as it arrived, for the
     * policies to read in place of the client's stream: all of it, or one byte more than the policy's limit when it
     * is longer (so that it shows as too long); a source that throws when the client's body could not be read.
     */
    public void supplyBody(BodySource read) {
        bodySource = requireNonNull(read, "read");
        bodySupplied = true;
    }

    @Override
    public void replaceBody(RequestBody replacement) {
        body = Optional.of(requireNonNull(replacement, "replacement"));
        bodyReplaced = true;
    }

    @Override
    public boolean bodyReplaced() {
        return bodyReplaced;
    }

    @Override
    public <T> Optional<T> attribute(AttributeKey<T> key) {
        return attributes.get(key);
    }

    @Override
    public <T> void setAttribute(AttributeKey<T> key, T value) {
        attributes.set(key, value);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }

    public static Builder builder(String method, String path) {
        return new Builder(method, path);
    }

    /** Where a host's exchange reads the request body from, when a policy asks for it. */
    @FunctionalInterface
    public interface BodySource {
        BodySource NONE = InputStream::nullInputStream;

        InputStream open() throws IOException;
    }

    /** Builds the exchange a host hands to a chain. */
    public static final class Builder {
        final String method;
        final String path;
        String query;
        String scheme = "http";
        Headers headers = Headers.create();
        String peerAddress = "0.0.0.0";
        List<X509Certificate> clientCertificates = List.of();
        BodySource body = BodySource.NONE;
        boolean nonBlocking;

        private Builder(String method, String path) {
            this.method = requireNonNull(method, "method");
            this.path = requireNonNull(path, "path");
        }

        public Builder query(String rawQuery) {
            this.query = rawQuery;
            return this;
        }

        public Builder scheme(String scheme) {
            this.scheme = requireNonNull(scheme, "scheme");
            return this;
        }

        /** The client's headers; the exchange takes ownership and edits them in place. */
        public Builder headers(Headers headers) {
            this.headers = requireNonNull(headers, "headers");
            return this;
        }

        public Builder peerAddress(String address) {
            this.peerAddress = requireNonNull(address, "address");
            return this;
        }

        /** The chain the TLS handshake verified, the client's certificate first; null or empty for none. */
        public Builder clientCertificates(X509Certificate @Nullable [] chain) {
            this.clientCertificates = chain == null ? List.of() : List.of(chain);
            return this;
        }

        public Builder body(BodySource body) {
            this.body = requireNonNull(body, "body");
            return this;
        }

        /**
         * The host waits for nothing on a thread. When a policy reads the body, the chain's request hooks stop
         * there ({@link ChainRun#awaitedBody()}) and go on once the host has read it as it arrived, {@linkplain
         * #supplyBody supplied} it and {@linkplain ChainRun#resume() resumed} them; when a policy has something
         * pending ({@link dev.gatehouse.OffloadPolicy#pending}: a collapsed cache miss waiting for its leader), they
         * stop before it ({@link ChainRun#awaited()}) and go on when that completes. A client that sends its body
         * slowly, or a hundred requests waiting for one cache fill, then hold no thread of the host's.
         */
        public Builder nonBlocking() {
            this.nonBlocking = true;
            return this;
        }

        public Exchange build() {
            return new HostExchange(this);
        }
    }
}
