package dev.gatehouse.jetty;

import dev.gatehouse.host.ChainRun;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback the service completes, once. Success ends the body (commits a response never written, closes the
 * transforms). Failure before commit becomes a logged 500 problem that still passes through the policies; failure
 * after commit is passed on to Jetty, which aborts the response, so the client sees it truncated. Either way the
 * run's completion hooks run once, just before Jetty's callback is completed. They may block (a store), so this
 * callback says it is {@linkplain InvocationType#BLOCKING blocking}, the default.
 */
final class ServiceCallback implements Callback {
    private static final Logger log = LoggerFactory.getLogger(OffloadHandler.class);
    private static final VarHandle COMPLETED;

    static {
        try {
            COMPLETED = MethodHandles.lookup().findVarHandle(ServiceCallback.class, "completed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final OffloadResponse response;
    private final Callback callback;
    private volatile boolean completed;

    ServiceCallback(OffloadResponse response, Callback callback) {
        this.response = response;
        this.callback = callback;
    }

    @Override
    public void succeeded() {
        if (COMPLETED.compareAndSet(this, false, true)) {
            response.finish(Callback.from(() -> end(null), this::abort));
        }
    }

    @Override
    public void failed(Throwable failure) {
        if (!COMPLETED.compareAndSet(this, false, true)) {
            return;
        }
        if (response.isCommitted()) {
            abort(failure);
            return;
        }
        ChainRun run = response.run();
        log.error("{} failed in the service; answered 500", run.exchange(), failure);
        response.writeFailure(Callback.from(() -> end(failure), this::abort));
    }

    private void end(@Nullable Throwable failure) {
        try {
            response.run().onComplete(response.status(), Optional.ofNullable(failure));
        } finally {
            callback.succeeded();
        }
    }

    private void abort(Throwable failure) {
        try {
            response.run().onComplete(response.status(), Optional.of(failure));
        } finally {
            callback.failed(failure);
        }
    }
}
