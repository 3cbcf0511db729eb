package dev.gatehouse.jetty;

import dev.gatehouse.testing.conformance.ConformanceService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** The conformance service's endpoints as a Jetty core handler. */
final class ConformanceHandler extends Handler.Abstract {
    private final ConformanceService service;

    ConformanceHandler(ConformanceService service) {
        this.service = service;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        switch (path) {
            case "/echo" -> echo(request, response, callback);
            case "/text" -> text(request, response, callback);
            case "/stream" -> stream(response, callback);
            case "/async" -> async(response, callback);
            case "/fail" -> {
                service.executed();
                throw new IllegalStateException("the resource failed");
            }
            case "/error" -> {
                service.executed();
                Response.writeError(
                        request, response, callback, ConformanceService.APP_ERROR_STATUS, "application error");
            }
            case "/redirect" -> {
                service.executed();
                Response.sendRedirect(request, response, callback, "/text");
            }
            default -> {
                service.executed();
                return false;
            }
        }
        return true;
    }

    private void echo(Request request, Response response, Callback callback) throws IOException {
        service.executed();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getName(), name -> new ArrayList<>()).add(field.getValue());
        }
        byte[] body = Content.Source.asInputStream(request).readAllBytes();
        String echo = ConformanceService.echo(request.getMethod(), Request.getPathInContext(request), headers, body);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.write(true, ByteBuffer.wrap(echo.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private void text(Request request, Response response, Callback callback) {
        service.executed();
        Fields query = Request.extractQueryParameters(request);
        String size = query.getValue("size");
        byte[] body = ConformanceService.text(size == null ? 100 : Integer.parseInt(size));
        String type = query.getValue("type");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type == null ? "text/plain" : type);
        String frame = query.getValue("frame");
        if (frame != null) {
            response.getHeaders().put("X-Frame-Options", frame);
        }
        String fail = request.getHeaders().get("X-Fail");
        if (fail != null) {
            response.setStatus(Integer.parseInt(fail));
            body = "failed".getBytes(StandardCharsets.US_ASCII);
        }
        String cache = query.getValue("cache");
        if (cache != null) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, cache);
        }
        String etag = query.getValue("etag");
        if (etag != null && fail == null) {
            response.getHeaders().put(HttpHeader.ETAG, "\"" + etag + "\"");
            if (("\"" + etag + "\"").equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
                response.setStatus(304);
                response.write(true, null, callback);
                return;
            }
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private void stream(Response response, Callback callback) throws IOException {
        service.executed();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        byte[] chunk = ConformanceService.text(ConformanceService.CHUNK_SIZE);
        for (int i = 0; i < ConformanceService.STREAM_CHUNKS; i++) {
            try (Blocker.Callback written = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(chunk), written);
                written.block();
            }
        }
        response.write(true, null, callback);
    }

    private void async(Response response, Callback callback) {
        service.executed();
        CompletableFuture.runAsync(() -> {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.write(true, ByteBuffer.wrap(ConformanceService.text(ConformanceService.ASYNC_SIZE)), callback);
        });
    }
}
