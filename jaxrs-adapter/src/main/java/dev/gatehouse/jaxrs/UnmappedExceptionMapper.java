package dev.gatehouse.jaxrs;

import dev.gatehouse.Headers;
import dev.gatehouse.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers exceptions that the application maps to nothing, so that the response hooks and the completion
 * still run: a {@link WebApplicationException} gets its own response, anything else is logged and answered
 * with a 500 problem body that reveals nothing. Registered with the lowest priority, so any mapper of the
 * application for the same type wins.
 */
final class UnmappedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger log = LoggerFactory.getLogger(OffloadFeature.class);

    @Override
    public Response toResponse(Throwable exception) {
        if (exception instanceof WebApplicationException webApplicationException) {
            return webApplicationException.getResponse();
        }
        log.error("the resource failed; answered 500", exception);
        return OffloadRequestFilter.toResponse(Problem.of(500).toResponse(Headers.empty()));
    }
}
