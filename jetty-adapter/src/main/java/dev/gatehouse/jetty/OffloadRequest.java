package dev.gatehouse.jetty;

import dev.gatehouse.Exchange;
import dev.gatehouse.RequestBody;
import dev.gatehouse.host.ChainRun;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.content.ByteBufferContentSource;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * The request the service sees: the client's, with the fields the policies changed (see {@link UpstreamFields}),
 * and, when a policy buffered or replaced the body, that body in place of the client's content.
 */
final class OffloadRequest extends Request.Wrapper {
    private final ChainRun run;
    private final HttpFields fields;
    private final Content.@Nullable Source replay;

    OffloadRequest(Request clientRequest, JettyFields edited, ChainRun run) {
        super(clientRequest);
        this.run = run;
        Exchange exchange = run.exchange();
        Optional<RequestBody> body = exchange.body();
        this.replay = body.isPresent()
                ? new ByteBufferContentSource(ByteBuffer.wrap(body.get().toByteArray()))
                : null;
        this.fields = UpstreamFields.of(
                edited.fields(),
                run.editedRequestHeaders(),
                body.map(RequestBody::length).orElse(-1));
    }

    ChainRun run() {
        return run;
    }

    @Override
    public HttpFields getHeaders() {
        return fields;
    }

    @Override
    public long getLength() {
        return replay == null ? super.getLength() : replay.getLength();
    }

    @Override
    public Content.@Nullable Chunk read() {
        return replay == null ? super.read() : replay.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        if (replay == null) {
            super.demand(demandCallback);
        } else {
            replay.demand(demandCallback);
        }
    }

    @Override
    public void fail(Throwable failure) {
        if (replay == null) {
            super.fail(failure);
        } else {
            replay.fail(failure);
        }
    }

    @Override
    public boolean consumeAvailable() {
        if (replay == null) {
            return super.consumeAvailable();
        }
        for (Content.Chunk chunk = replay.read(); chunk != null; chunk = replay.read()) {
            chunk.release();
            if (chunk.isLast()) {
                return true;
            }
        }
        return true;
    }
}
