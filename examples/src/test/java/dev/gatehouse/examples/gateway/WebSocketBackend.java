package dev.gatehouse.examples.gateway;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket server on Jetty's WebSocket core, upstream of the gateway in tests. It answers a text {@code m}
 * with {@code echo:m}, a binary message with its bytes reversed and the text {@code close} by closing with 4000;
 * {@code /refuse/...} refuses the upgrade with 403; anything that is
 * not an upgrade gets 404. Its 101 sets a cookie. It records each handshake's fields and each close it receives or ends with.
 */
final class WebSocketBackend implements AutoCloseable {
    final BlockingQueue<HttpFields> handshakes = new LinkedBlockingQueue<>();
    final BlockingQueue<CloseStatus> closesReceived = new LinkedBlockingQueue<>();
    final BlockingQueue<CloseStatus> closed = new LinkedBlockingQueue<>();
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    WebSocketBackend() throws Exception {
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
        upgrades.addMapping("/*", new WebSocketNegotiator.AbstractNegotiator() {
            @Override
            public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback done) {
                handshakes.add(HttpFields.build(request.getHeaders()).asImmutable());
                if (request.getHttpURI().getPath().startsWith("/refuse")) {
                    response.setStatus(403);
                    response.write(true, null, done);
                    return null;
                }
                response.getHeaders().put("Set-Cookie", "room=7; HttpOnly");
                if (!request.getSubProtocols().isEmpty()) {
                    response.setAcceptedSubProtocol(request.getSubProtocols().get(0));
                }
                return new Echo();
            }
        });
        server.setHandler(upgrades);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** One upstream session. */
    private final class Echo implements FrameHandler {
        private CoreSession session;

        @Override
        public void onOpen(CoreSession session, Callback callback) {
            this.session = session;
            callback.succeeded();
            session.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            switch (frame.getOpCode()) {
                case OpCode.TEXT -> {
                    String text = frame.getPayloadAsUTF8();
                    if (text.equals("close")) {
                        session.close(
                                4000,
                                "upstream says bye",
                                Callback.from(
                                        () -> {
                                            callback.succeeded();
                                            session.demand(); // for the client's answering close
                                        },
                                        callback::failed));
                        return;
                    }
                    send(new Frame(OpCode.TEXT).setPayload("echo:" + text), callback);
                }
                case OpCode.BINARY -> {
                    byte[] bytes = new byte[frame.getPayloadLength()];
                    frame.getPayload().slice().get(bytes);
                    byte[] reversed = new byte[bytes.length];
                    for (int i = 0; i < bytes.length; i++) {
                        reversed[i] = bytes[bytes.length - 1 - i];
                    }
                    send(new Frame(OpCode.BINARY).setPayload(ByteBuffer.wrap(reversed)), callback);
                }
                case OpCode.CLOSE -> {
                    closesReceived.add(CloseStatus.getCloseStatus(frame));
                    callback.succeeded();
                }
                default -> {
                    callback.succeeded();
                    session.demand();
                }
            }
        }

        private void send(Frame frame, Callback callback) {
            session.sendFrame(
                    frame,
                    Callback.from(
                            () -> {
                                callback.succeeded();
                                session.demand();
                            },
                            callback::failed),
                    false);
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus status, Callback callback) {
            closed.add(status);
            callback.succeeded();
        }
    }
}
