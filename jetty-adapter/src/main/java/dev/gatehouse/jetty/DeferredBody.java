package dev.gatehouse.jetty;

import dev.gatehouse.host.HostExchange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body for the policies as the client sends it, on Jetty's demand callbacks: a client that sends
 * slowly holds no thread while it does (a blocking read held one each, and a few hundred such clients held all of
 * them). Reads until the body ends or {@code most} bytes are in, then hands what it read on, as a source the
 * policies read without waiting; a body the client framed badly (or that failed: a reset, an idle timeout) becomes
 * a source that throws, for the chain's 400.
 */
final class DeferredBody implements Runnable {
    private final Content.Source client;
    private final long most;
    private final Consumer<HostExchange.BodySource> then;
    private final ByteArrayOutputStream read;
    /** Whoever ends the read first — the content, or a failure of the request — hands it on; once. */
    private final AtomicBoolean ended = new AtomicBoolean();

    private DeferredBody(Content.Source client, long most, Consumer<HostExchange.BodySource> then) {
        this.client = client;
        this.most = most;
        this.then = then;
        this.read = new ByteArrayOutputStream((int) Math.min(most, 8192));
    }

    /**
     * Reads at most {@code most} bytes of {@code request}'s content, then calls {@code then} with them. A request
     * that fails meanwhile ends the read too: an HTTP/2 stream that Jetty resets (a body shorter than its
     * content-length, say) calls no demand callback again, and the exchange would wait forever.
     */
    static void read(Request request, long most, Consumer<HostExchange.BodySource> then) {
        DeferredBody body = new DeferredBody(request, most, then);
        request.addFailureListener(body::failed);
        body.run();
        if (!body.ended.get()) {
            // Only a body still coming is watched: one read whole at once schedules nothing.
            body.watchForStall(request);
        }
    }

    /**
     * Ends the read when the body makes no progress for the connection's idle timeout: an HTTP/2 stream Jetty reset
     * itself (a body shorter than its content-length, the connection then closed) may call neither the demand
     * callback nor the failure listener. A client that sends, however slowly, is never cut by this.
     */
    private void watchForStall(Request request) {
        long idle =
                request.getConnectionMetaData().getConnection().getEndPoint().getIdleTimeout();
        long every = idle > 0 ? idle : 30_000;
        Scheduler scheduler = request.getComponents().getScheduler();
        new Runnable() {
            private int seen = -1;

            @Override
            public void run() {
                if (ended.get()) {
                    return;
                }
                int now = read.size();
                if (now == seen) {
                    failed(new TimeoutException("the request body stalled for " + every + " ms"));
                    return;
                }
                seen = now;
                scheduler.schedule(this, every, TimeUnit.MILLISECONDS);
            }
        }.run();
    }

    private void failed(Throwable failure) {
        if (ended.compareAndSet(false, true)) {
            then.accept(() -> {
                throw new IOException("the request failed: " + failure, failure);
            });
        }
    }

    @Override
    public void run() {
        while (!ended.get()) {
            Content.Chunk chunk = client.read();
            if (chunk == null) {
                client.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                failed(chunk.getFailure());
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            int take = (int) Math.min(bytes.remaining(), most - read.size());
            byte[] copied = new byte[take];
            bytes.get(copied);
            read.write(copied, 0, take);
            boolean last = chunk.isLast();
            chunk.release();
            if (last || read.size() >= most) {
                // Past the limit the rest stays unread: the 413 goes out, and Jetty consumes it or closes.
                if (ended.compareAndSet(false, true)) {
                    byte[] body = read.toByteArray();
                    then.accept(() -> new ByteArrayInputStream(body));
                }
                return;
            }
        }
    }
}
