package dev.gatehouse.jaxrs;

import dev.gatehouse.ResponseHead;
import dev.gatehouse.host.CloseShield;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/** Streams the entity through the policies' transforms, closes them (trailers), then completes the exchange. */
final class OffloadWriterInterceptor implements WriterInterceptor {

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
        if (!(context.getProperty(ExchangeState.PROPERTY) instanceof ExchangeState state) || state.head == null) {
            context.proceed();
            return;
        }
        ResponseHead head = state.head;
        OutputStream container = context.getOutputStream();
        boolean transformed = head.bodyTransformable() && head.hasTransforms();
        OutputStream body = transformed ? head.wrapBody(new CloseShield(container)) : container;
        context.setOutputStream(body);
        Throwable failure = null;
        try {
            context.proceed();
            if (transformed) {
                body.close();
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            context.setOutputStream(container);
            state.run.onComplete(head.status(), Optional.ofNullable(failure));
        }
    }

    /** Lets the transforms write their trailers without closing the runtime's stream. */
}
