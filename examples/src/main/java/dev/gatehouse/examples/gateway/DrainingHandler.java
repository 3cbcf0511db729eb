package dev.gatehouse.examples.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;

/**
 * Graceful shutdown that loses no request: once shutdown begins (the listeners have stopped accepting), requests
 * that still arrive on open connections are served as usual but answered with {@code Connection: close}, so each
 * client moves to another instance after its answer; the server stops once no request is in flight, or when the
 * grace period ends.
 *
 * <p>Jetty's {@code GracefulHandler} counts requests the same way but answers those late arrivals 503, which a
 * client with a kept-alive connection gets for a request it sent in good faith during a rolling deploy, and which
 * clients do not retry on their own. Envoy's drain does what this does (HTTP/2 clients get Jetty's GOAWAY).
 */
final class DrainingHandler extends Handler.Wrapper implements Graceful {
    private final LongAdder inFlight = new LongAdder();
    private final Shutdown shutdown = new Shutdown(this) {
        @Override
        public boolean isShutdownDone() {
            return inFlight.sum() == 0;
        }
    };

    DrainingHandler(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Handler handler = getHandler();
        if (handler == null || !isStarted()) {
            return false;
        }
        // Counted before the shutdown test, so that a shutdown beginning now waits for this request.
        inFlight.increment();
        if (isShutdown()) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        Callback counted = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                inFlight.decrement();
                super.succeeded();
                checkDone();
            }

            @Override
            public void failed(Throwable failure) {
                inFlight.decrement();
                super.failed(failure);
                checkDone();
            }
        };
        try {
            if (super.handle(request, response, counted)) {
                return true;
            }
            inFlight.decrement();
            checkDone();
            return false;
        } catch (Throwable failure) {
            inFlight.decrement();
            checkDone();
            throw failure;
        }
    }

    /** The exchange has been answered (the callback completed): shutdown may be done. */
    private void checkDone() {
        if (isShutdown()) {
            shutdown.check();
        }
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        return shutdown.shutdown();
    }

    @Override
    public boolean isShutdown() {
        return shutdown.isShutdown();
    }
}
