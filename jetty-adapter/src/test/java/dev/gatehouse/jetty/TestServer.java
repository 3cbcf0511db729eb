package dev.gatehouse.jetty;

import dev.gatehouse.RouteTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A Jetty server on an ephemeral loopback port: {@code handler} behind an {@link OffloadHandler}, or alone. */
final class TestServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private TestServer(Handler handler, ConnectionFactory... protocols) throws Exception {
        this(new Server(), handler, protocols);
    }

    private TestServer(Server server, Handler handler, ConnectionFactory... protocols) throws Exception {
        this.server = server;
        connector = protocols.length == 0 ? new ServerConnector(server) : new ServerConnector(server, protocols);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    static TestServer offloading(RouteTable routes, Handler service) throws Exception {
        OffloadHandler offload = OffloadHandler.of(routes);
        offload.setHandler(service);
        return new TestServer(offload);
    }

    /** HTTP/1.1 and HTTP/2 in clear text (h2c, by upgrade or prior knowledge). */
    static TestServer offloadingH2c(RouteTable routes, Handler service) throws Exception {
        OffloadHandler offload = OffloadHandler.of(routes);
        offload.setHandler(service);
        HttpConfiguration config = new HttpConfiguration();
        return new TestServer(offload, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
    }

    /** Like {@link #offloading(RouteTable, Handler)}, on a pool of at most {@code maxThreads} threads. */
    static TestServer offloading(RouteTable routes, Handler service, int maxThreads) throws Exception {
        OffloadHandler offload = OffloadHandler.of(routes);
        offload.setHandler(service);
        return new TestServer(new Server(new QueuedThreadPool(maxThreads)), offload);
    }

    static TestServer plain(Handler handler) throws Exception {
        return new TestServer(handler);
    }

    int port() {
        return connector.getLocalPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /**
     * Sends {@code request} as it is on a new connection and returns every byte the server sends until it closes
     * the connection, as ISO-8859-1 text.
     */
    String exchangeRaw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept the connection open; received so far:\n" + received, e);
            } catch (IOException reset) {
                // A connection reset after the response: what was received is what counts.
            }
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            server.stop();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("could not stop the server", e);
        }
    }
}
