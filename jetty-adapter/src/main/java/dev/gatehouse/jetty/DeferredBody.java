package dev.gatehouse.jetty;

import dev.gatehouse.host.HostExchange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request body for the policies as the client sends it, on Jetty's demand callbacks: a client that sends
 * slowly holds no thread while it does (a blocking read held one each, and a few hundred such clients held all of
 * them). Reads until the body ends or {@code most} bytes are in, then hands what it read on, as a source the
 * policies read without waiting; a body the client framed badly (or that failed: a reset, an idle timeout) becomes
 * a source that throws, for the chain's 400.
 */
final class DeferredBody implements Runnable {
    private final Content.Source client;
    private final int most;
    private final Consumer<HostExchange.BodySource> then;
    private final ByteArrayOutputStream read;

    private DeferredBody(Content.Source client, int most, Consumer<HostExchange.BodySource> then) {
        this.client = client;
        this.most = most;
        this.then = then;
        this.read = new ByteArrayOutputStream(Math.min(most, 8192));
    }

    /** Reads at most {@code most} bytes of {@code client}'s content, then calls {@code then} with them. */
    static void read(Content.Source client, int most, Consumer<HostExchange.BodySource> then) {
        new DeferredBody(client, most, then).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = client.read();
            if (chunk == null) {
                client.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                then.accept(() -> {
                    throw new IOException("the request content failed: " + failure, failure);
                });
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            int take = Math.min(bytes.remaining(), most - read.size());
            byte[] copied = new byte[take];
            bytes.get(copied);
            read.write(copied, 0, take);
            boolean last = chunk.isLast();
            chunk.release();
            if (last || read.size() >= most) {
                // Past the limit the rest stays unread: the 413 goes out, and Jetty consumes it or closes.
                byte[] body = read.toByteArray();
                then.accept(() -> new ByteArrayInputStream(body));
                return;
            }
        }
    }
}
