package dev.gatehouse.examples.gateway;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 connections that must deliver each request's head (request line and header fields) within a bound, how
 * ever slowly its bytes come: a client that drips a byte now and then never trips the idle timeout, and without
 * this holds a connection for as long as it likes (slowloris). Past the bound the connection is closed, as nginx's
 * {@code client_header_timeout} does. Jetty has no such bound of its own.
 *
 * <p>Only a head still incomplete after a read is timed: a whole head in one read (nearly every request) schedules
 * nothing. The time between requests on a kept-alive connection is the idle timeout's, not this one's.
 */
final class HeadTimedConnectionFactory extends HttpConnectionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(HeadTimedConnectionFactory.class);

    private final Duration headTimeout;

    HeadTimedConnectionFactory(HttpConfiguration http, Duration headTimeout) {
        super(http);
        this.headTimeout = headTimeout;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HeadTimedConnection connection =
                new HeadTimedConnection(getHttpConfiguration(), connector, endPoint, headTimeout);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    private static final class HeadTimedConnection extends HttpConnection {
        private final Scheduler scheduler;
        private final Duration headTimeout;
        /** When the head being read began ({@link System#nanoTime}), or 0 while no head is partly read. */
        private volatile long headStarted;

        HeadTimedConnection(HttpConfiguration http, Connector connector, EndPoint endPoint, Duration headTimeout) {
            super(http, connector, endPoint);
            this.scheduler = connector.getScheduler();
            this.headTimeout = headTimeout;
        }

        @Override
        public void onFillable() {
            super.onFillable();
            HttpParser parser = getParser();
            if (parser.isStart() || !parser.inHeaderState()) {
                headStarted = 0;
            } else if (headStarted == 0) {
                long started = Math.max(1, System.nanoTime());
                headStarted = started;
                scheduler.schedule(() -> expire(started), headTimeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        /** Closes the connection when the head begun at {@code started} is still incomplete. */
        private void expire(long started) {
            if (headStarted == started && isOpen()) {
                LOG.info(
                        "closed the connection from {}: no complete request head within {}",
                        getEndPoint().getRemoteSocketAddress(),
                        headTimeout);
                getEndPoint().close();
            }
        }

        private boolean isOpen() {
            return getEndPoint().isOpen();
        }
    }
}
