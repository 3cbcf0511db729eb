package dev.gatehouse.jaxrs;

import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The conformance service's endpoints as a JAX-RS resource, for Jersey and RESTEasy alike. */
@Path("/")
public final class ConformanceResource {
    private final ConformanceService service;

    public ConformanceResource(ConformanceService service) {
        this.service = service;
    }

    @GET
    @Path("echo")
    public Response echo(@Context HttpHeaders headers, @Context UriInfo uri) {
        return echo(new byte[0], headers, uri, "GET");
    }

    @POST
    @Path("echo")
    public Response echoPost(byte[] body, @Context HttpHeaders headers, @Context UriInfo uri) {
        return echo(body, headers, uri, "POST");
    }

    @PUT
    @Path("echo")
    public Response echoPut(byte[] body, @Context HttpHeaders headers, @Context UriInfo uri) {
        return echo(body, headers, uri, "PUT");
    }

    private Response echo(byte[] body, HttpHeaders headers, UriInfo uri, String method) {
        service.executed();
        // keySet() and get() are live on every runtime; RESTEasy's entry iteration shows the headers as they
        // were before pre-matching filters ran (see OffloadFeature).
        MultivaluedMap<String, String> live = headers.getRequestHeaders();
        Map<String, List<String>> seen = new LinkedHashMap<>();
        live.keySet().forEach(name -> seen.put(name, live.get(name)));
        String echo = ConformanceService.echo(method, "/" + uri.getPath(), seen, body);
        return Response.ok(echo, "text/plain;charset=utf-8").build();
    }

    @GET
    @Path("text")
    public Response text(
            @QueryParam("size") @DefaultValue("100") int size,
            @QueryParam("type") @DefaultValue("text/plain") String type,
            @QueryParam("cache") String cache,
            @QueryParam("frame") String frame,
            @QueryParam("etag") String etag,
            @HeaderParam("X-Fail") Integer fail,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
        service.executed();
        if (fail != null) {
            return Response.status(fail).entity("failed").type("text/plain").build();
        }
        Response.ResponseBuilder response = etag != null && ("\"" + etag + "\"").equals(ifNoneMatch)
                ? Response.notModified()
                : Response.ok(ConformanceService.text(size), type);
        if (etag != null) {
            response.header("ETag", "\"" + etag + "\"");
        }
        if (frame != null) {
            response.header("X-Frame-Options", frame);
        }
        if (cache != null) {
            response.header("Cache-Control", cache);
        }
        return response.build();
    }

    @GET
    @Path("stream")
    public Response stream() {
        service.executed();
        StreamingOutput chunks = out -> {
            byte[] chunk = ConformanceService.text(ConformanceService.CHUNK_SIZE);
            for (int i = 0; i < ConformanceService.STREAM_CHUNKS; i++) {
                out.write(chunk);
                out.flush();
            }
        };
        return Response.ok(chunks, "text/plain").build();
    }

    @GET
    @Path("async")
    public void async(@Suspended AsyncResponse response) {
        service.executed();
        CompletableFuture.runAsync(
                () -> response.resume(Response.ok(ConformanceService.text(ConformanceService.ASYNC_SIZE), "text/plain")
                        .build()));
    }

    @GET
    @Path("fail")
    public Response fail() {
        service.executed();
        throw new IllegalStateException("the resource failed");
    }

    @GET
    @Path("error")
    public Response error() {
        service.executed();
        throw new ApplicationError();
    }

    @GET
    @Path("redirect")
    public Response redirect() {
        service.executed();
        return Response.status(302).location(URI.create("/text")).build();
    }

    /** An application exception, answered by the application's own mapper. */
    public static final class ApplicationError extends RuntimeException {
        public ApplicationError() {
            super("application error");
        }
    }

    /** The application's mapper for its own exception. */
    public static final class ApplicationErrorMapper implements ExceptionMapper<ApplicationError> {
        @Override
        public Response toResponse(ApplicationError exception) {
            return Response.status(ConformanceService.APP_ERROR_STATUS)
                    .entity("application error")
                    .type("text/plain")
                    .build();
        }
    }
}
