package dev.gatehouse.jetty;

import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small handlers and policies for the host's tests. */
final class Handlers {
    private Handlers() {}

    static Handler of(Request.Handler handler) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return handler.handle(request, response, callback);
            }
        };
    }

    static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Records every completion it sees. */
    static final class CompletionRecorder implements OffloadPolicy {
        final List<Completion> completions = new CopyOnWriteArrayList<>();

        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.proceed();
        }

        @Override
        public void onComplete(Exchange exchange, Completion completion) {
            completions.add(completion);
        }

        /** Waits up to five seconds for the first completion. */
        Completion await() throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (completions.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (completions.isEmpty()) {
                throw new AssertionError("no completion within five seconds");
            }
            Thread.sleep(50);
            return completions.get(0);
        }
    }
}
