package dev.gatehouse.jaxrs;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the response hooks on the head of every response of an exchange the request filter started:
 * resource responses, aborted requests and exception-mapped responses alike. Completes the exchange here
 * when there is no entity to write.
 */
final class OffloadResponseFilter implements ContainerResponseFilter {
    /** An entity that writes nothing, for a replacement whose body the transforms write. */
    private static final StreamingOutput NO_BYTES = output -> {};

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(ExchangeState.PROPERTY) instanceof ExchangeState state)) {
            return;
        }
        Headers current = Headers.create();
        response.getStringHeaders().forEach((name, values) -> values.forEach(value -> current.add(name, value)));
        boolean bodiless = "HEAD".equals(request.getMethod());
        boolean writesEntity = response.hasEntity() && !bodiless;
        ResponseHead head = writesEntity
                ? ResponseHead.of(response.getStatus(), current)
                : ResponseHead.withoutBody(response.getStatus(), current);
        state.run.onResponse(head);
        if (head.replaced()) {
            // A policy answered in the resource's place: its body goes out through the writer interceptor, in
            // place of the resource's entity, whose writer might not produce the replacement's media type.
            response.setStatus(head.status());
            if (!bodiless) {
                response.setEntity(NO_BYTES);
                writesEntity = true;
            }
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        for (String name : head.changedHeaderNames()) {
            headers.keySet().removeIf(name::equalsIgnoreCase);
            List<String> values = head.headers().all(name);
            if (!values.isEmpty()) {
                headers.put(name, new ArrayList<>(values));
            }
        }
        state.head = head;
        if (!writesEntity) {
            state.run.onComplete(response.getStatus(), Optional.empty());
        }
    }
}
