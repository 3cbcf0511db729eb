package dev.gatehouse;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    /** The exchange's request id, set by the request-id policy and read by logs and other policies. */
    AttributeKey<String> REQUEST_ID = AttributeKey.of("gatehouse.requestId", String.class);

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

    /**
     * The names of the request fields the chain's policies have set or removed so far, where {@link
     * #requestHeaders()} differs from the client's request; {@code contains} ignores letter case. Empty when the
     * exchange does not track them (test exchanges).
     */
    default Set<String> editedRequestHeaders() {
        return Set.of();
    }

    /** The IP address of the connection's peer, as a literal. Trusted-proxy resolution is a policy's job. */
    String peerAddress();

    /**
     * The client's certificate chain as the TLS handshake verified it, the client's own certificate first; empty
     * when the connection is not TLS or the client sent none. Hosts read it from the connection (the servlet
     * attribute {@code jakarta.servlet.request.X509Certificate}, Jetty's TLS session data); it can never come from
     * a header.
     */
    default List<X509Certificate> clientCertificates() {
        return List.of();
    }

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
}
