package dev.gatehouse.examples.gateway;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket relayed frame by frame between two sessions: the client's (the gateway is its server) and the
 * upstream's (the gateway is its client). Neither side reads a frame before both are open; each frame read from one
 * side is sent on to the other before the next is read, so a slow side slows the other instead of filling memory.
 * Pings, pongs and fragments pass unchanged; so does a close, whose status each side then echoes as the protocol
 * asks. A side that goes away without a close makes the gateway close the other with 1001; {@link #end} closes
 * both (the lifetime limit, the gateway stopping). Idle time is each session's own timeout: Jetty closes an idle side with
 * 1001, and that close reaches the other side like any other.
 */
final class WebSocketTunnel {
    private final Scheduler scheduler;
    private final GatewayRoute.WebSocket limits;
    private final Consumer<WebSocketTunnel> onClosed;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private volatile Scheduler.@Nullable Task lifetime;

    /** Faces the client: the server side of the client's WebSocket. */
    final Side client = new Side();

    /** Faces the upstream: the client side of the gateway's WebSocket to it. */
    final Side upstream = new Side();

    /** @param onClosed runs once both sides are closed */
    WebSocketTunnel(Scheduler scheduler, GatewayRoute.WebSocket limits, Consumer<WebSocketTunnel> onClosed) {
        this.scheduler = scheduler;
        this.limits = limits;
        this.onClosed = onClosed;
    }

    /** Closes both sides with {@code code}: the lifetime is over (1008), the gateway is stopping (1001). */
    void end(int code, String reason) {
        CloseStatus status = new CloseStatus(code, reason);
        client.close(status);
        upstream.close(status);
    }

    private void bothOpen() {
        lifetime = scheduler.schedule(
                () -> end(CloseStatus.POLICY_VIOLATION, "connection lifetime exceeded"),
                limits.maxLifetime().toMillis(),
                TimeUnit.MILLISECONDS);
        client.demand();
        upstream.demand();
    }

    /** One side of the tunnel, receiving its session's frames and sending them to the other side. */
    final class Side implements FrameHandler {
        private volatile @Nullable CoreSession session;
        private volatile boolean ended;

        private Side peer() {
            return this == client ? upstream : client;
        }

        @Override
        public void onOpen(CoreSession session, Callback callback) {
            this.session = session;
            callback.succeeded();
            if (peer().ended) {
                close(new CloseStatus(CloseStatus.SHUTDOWN, "the other side went away"));
            } else if (opened.incrementAndGet() == 2) {
                bothOpen();
            }
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            Side peer = peer();
            if (frame.getOpCode() == OpCode.CLOSE) {
                // Jetty answers this side's close with the same status once the callback succeeds.
                peer.close(CloseStatus.getCloseStatus(frame));
                callback.succeeded();
                return;
            }
            CoreSession to = peer.session;
            if (to == null) {
                callback.succeeded();
                return;
            }
            // A frame the other side can no longer take is dropped: its close reaches this side instead.
            to.sendFrame(
                    frame,
                    Callback.from(
                            () -> {
                                callback.succeeded();
                                demand();
                            },
                            failure -> callback.succeeded()),
                    false);
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus status, Callback callback) {
            ended = true;
            peer().close(
                            CloseStatus.isTransmittableStatusCode(status.getCode())
                                    ? status
                                    : new CloseStatus(CloseStatus.SHUTDOWN, "the other side went away"));
            callback.succeeded();
            if (closed.incrementAndGet() == 2) {
                Scheduler.Task task = lifetime;
                if (task != null) {
                    task.cancel();
                }
                onClosed.accept(WebSocketTunnel.this);
            }
        }

        private void demand() {
            CoreSession open = session;
            if (open != null) {
                open.demand();
            }
        }

        /** Sends a close with {@code status} unless this side has sent one already. */
        void close(CloseStatus status) {
            CoreSession open = session;
            if (open != null && open.isOutputOpen()) {
                open.close(status, Callback.NOOP);
            }
        }
    }
}
