package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * One request on its way through a {@link PolicyChain}: a framework-neutral view that hosts build and
 * policies read.
 *
 * <p>{@link #requestHeaders()} is the upstream view: the chain applies each {@link Decision.Proceed}'s header
 * edits to it, so later policies see what the service will see. Facts that policies share (request id,
 * principal, route) travel as typed {@linkplain #attribute attributes}. An exchange is used by one thread
 * at a time.
 */
public interface Exchange {

    /** The request method, upper case as sent. */
    String method();

    /** The decoded, normalized path relative to the application root, starting with {@code /}. */
    String path();

    /** The raw query string, without {@code ?}. */
    Optional<String> query();

    /** {@code http} or {@code https}, as the host received it. */
    String scheme();

    /** The request headers as the service will receive them. */
    Headers requestHeaders();

    /** The IP address of the connection's peer, as a literal. Trusted-proxy resolution is a policy's job. */
    String peerAddress();

    /** The buffered request body, present once the chain has {@linkplain #bufferBody buffered} it. */
    Optional<RequestBody> body();

    /**
     * Reads the request body into memory, at most {@code maxBytes}. The chain calls this before the first
     * policy that {@linkplain OffloadPolicy#requestBodyLimit() needs the body}; the host then hands the
     * buffered bytes to the service.
     *
     * @return false when the body is longer than {@code maxBytes} (the chain then refuses with 413)
     * @throws IOException when the client's body cannot be read
     */
    boolean bufferBody(int maxBytes) throws IOException;

    /**
     * Replaces the body the service will receive, as request decompression does. The host then gives the
     * service this body with a {@code Content-Length} of its length and no {@code Transfer-Encoding}.
     */
    void replaceBody(RequestBody body);

    /** Whether a policy {@linkplain #replaceBody replaced} the body. */
    boolean bodyReplaced();

    <T> Optional<T> attribute(AttributeKey<T> key);

    <T> void setAttribute(AttributeKey<T> key, T value);

    static Builder builder(String method, String path) {
        return new Builder(method, path);
    }

    /** Where a host's exchange reads the request body from, when a policy asks for it. */
    @FunctionalInterface
    interface BodySource {
        BodySource NONE = InputStream::nullInputStream;

        InputStream open() throws IOException;
    }

    /** Builds the exchange a host hands to a chain. */
    final class Builder {
        final String method;
        final String path;
        String query;
        String scheme = "http";
        Headers headers = Headers.create();
        String peerAddress = "0.0.0.0";
        BodySource body = BodySource.NONE;

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

        public Builder body(BodySource body) {
            this.body = requireNonNull(body, "body");
            return this;
        }

        public Exchange build() {
            return new DefaultExchange(this);
        }
    }
}
