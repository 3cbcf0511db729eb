package dev.gatehouse.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body on its way to the upstream, as the upstream request's content: whatever was buffered
 * first, then the rest as the client sends it, counted against the route's limit. Crossing the limit, or a body the
 * client framed badly, fails the content, which aborts the upstream request; {@code onClientFault} is told first.
 */
final class UpstreamBody implements org.eclipse.jetty.client.Request.Content {
    private final Content.Source client;
    private final long length;
    private final long limit;
    private final Runnable onClientFault;
    private Content.@Nullable Chunk head;
    private long count;
    private Content.@Nullable Chunk failure;

    private UpstreamBody(
            Content.Source client, long length, long limit, byte @Nullable [] head, Runnable onClientFault) {
        this.client = client;
        this.length = length;
        this.limit = limit;
        this.onClientFault = onClientFault;
        this.head = head == null ? null : Content.Chunk.from(ByteBuffer.wrap(head), false);
        this.count = head == null ? 0 : head.length;
    }

    /** Whether {@code request} has no body to forward (an HTTP/2 request without a length may well have one). */
    static boolean absent(Request request) {
        long length = request.getLength();
        if (length == 0) {
            return true;
        }
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        return length < 0
                && (version == HttpVersion.HTTP_1_0 || version == HttpVersion.HTTP_1_1)
                && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /**
     * The body to send: read whole first when it fits the route's request buffer (so that a malformed or oversized
     * body is refused before any upstream is called), otherwise the part read so far followed by the rest, streamed.
     *
     * @return null for a body that turned out empty (an HTTP/2 request's headers did not end the stream)
     * @throws BadMessageException 400 for a body the client framed badly, 413 for one over the limit
     */
    static org.eclipse.jetty.client.Request.@Nullable Content of(
            Request request, GatewayRoute route, Runnable onClientFault) throws IOException {
        long declared = request.getLength();
        long buffer = route.requestBufferBytes();
        if (buffer == 0 || declared > buffer) {
            return new UpstreamBody(request, declared, route.maxBodyBytes(), null, onClientFault);
        }
        ByteArrayOutputStream read = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        boolean ended = readUpTo(request, read, buffer, route.maxBodyBytes());
        if (ended) {
            if (read.size() == 0 && declared <= 0) {
                return null;
            }
            if (declared >= 0 && read.size() != declared) {
                throw new BadMessageException(400, "body ended after " + read.size() + " of " + declared + " bytes");
            }
            return new org.eclipse.jetty.client.BytesRequestContent(
                    request.getHeaders().get(HttpHeader.CONTENT_TYPE), read.toByteArray());
        }
        return new UpstreamBody(request, declared, route.maxBodyBytes(), read.toByteArray(), onClientFault);
    }

    /** Reads until the end or until at least {@code bytes} are in {@code out}; true when the body ended. */
    private static boolean readUpTo(Content.Source source, ByteArrayOutputStream out, long bytes, long limit)
            throws IOException {
        while (out.size() < bytes) {
            Content.Chunk chunk = next(source);
            if (Content.Chunk.isFailure(chunk)) {
                throw asBadMessage(chunk.getFailure());
            }
            ByteBuffer buffer = chunk.getByteBuffer();
            byte[] bytesRead = new byte[buffer.remaining()];
            buffer.get(bytesRead);
            out.write(bytesRead);
            boolean last = chunk.isLast();
            chunk.release();
            if (out.size() > limit) {
                if (!last) {
                    discardRest(source, DISCARD_MOST);
                }
                throw new BadMessageException(413, "body over " + limit + " bytes");
            }
            if (last) {
                return true;
            }
        }
        return false;
    }

    /**
     * How much of a refused body's rest is read and dropped before the refusal goes out. A connection closed with
     * unread bytes in its receive buffer is reset (RFC 9112 §9.6), and a client still sending would get the reset
     * instead of the 413; nginx reads on for the same reason (its lingering close). Past this, the client gets the
     * 413 and the connection closes, reset or not.
     */
    static final long DISCARD_MOST = 1024 * 1024;

    /** The next chunk of {@code source}, waiting for one. */
    private static Content.Chunk next(Content.Source source) throws IOException {
        while (true) {
            Content.Chunk chunk = source.read();
            if (chunk != null) {
                return chunk;
            }
            try (Blocker.Runnable blocker = Blocker.runnable()) {
                source.demand(blocker);
                blocker.block();
            }
        }
    }

    /** Reads and drops the rest of {@code source}, at most {@code most} bytes of it. */
    private static void discardRest(Content.Source source, long most) throws IOException {
        long dropped = 0;
        while (dropped <= most) {
            Content.Chunk chunk = next(source);
            dropped += chunk.remaining();
            boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
            chunk.release();
            if (end) {
                return;
            }
        }
    }

    private static BadMessageException asBadMessage(Throwable failure) {
        if (failure instanceof BadMessageException bad) {
            return bad;
        }
        Integer status = UpstreamCall.clientFault(failure);
        return new BadMessageException(status == null ? 400 : status, "request body: " + failure, failure);
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public @Nullable String getContentType() {
        return null;
    }

    @Override
    public Content.@Nullable Chunk read() {
        Content.Chunk failed = failure;
        if (failed != null) {
            return failed;
        }
        Content.Chunk first = head;
        if (first != null) {
            head = null;
            return first;
        }
        Content.Chunk chunk = client.read();
        if (chunk == null) {
            return null;
        }
        if (Content.Chunk.isFailure(chunk)) {
            onClientFault.run();
            return chunk;
        }
        count += chunk.remaining();
        if (count > limit) {
            chunk.release();
            onClientFault.run();
            failed = Content.Chunk.from(new BadMessageException(413, "body over " + limit + " bytes"), true);
            failure = failed;
            return failed;
        }
        return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
        if (head != null || failure != null) {
            demandCallback.run();
        } else {
            client.demand(demandCallback);
        }
    }

    @Override
    public void fail(Throwable cause) {
        client.fail(cause);
    }

    @Override
    public boolean rewind() {
        return false;
    }
}
