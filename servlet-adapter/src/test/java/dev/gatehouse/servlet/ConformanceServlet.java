package dev.gatehouse.servlet;

import dev.gatehouse.testing.conformance.ConformanceService;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The conformance service's endpoints as a plain servlet. */
public final class ConformanceServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** The paths to map the servlet to; {@code /} makes it the default servlet, which answers 404. */
    static final String[] PATHS = {"/echo", "/text", "/stream", "/async", "/fail", "/error", "/redirect", "/"};

    private final transient ConformanceService service;

    public ConformanceServlet(ConformanceService service) {
        this.service = service;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        service.executed();
        switch (request.getServletPath()) {
            case "/echo" -> echo(request, response);
            case "/text" -> text(request, response);
            case "/stream" -> stream(response);
            case "/async" -> async(request);
            case "/fail" -> throw new IllegalStateException("the resource failed");
            case "/error" -> response.sendError(ConformanceService.APP_ERROR_STATUS, "application error");
            case "/redirect" -> response.sendRedirect("/text");
            default -> response.sendError(404);
        }
    }

    private static void echo(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, new ArrayList<>(Collections.list(request.getHeaders(name))));
        }
        byte[] body = request.getInputStream().readAllBytes();
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter()
                .write(ConformanceService.echo(request.getMethod(), request.getServletPath(), headers, body));
    }

    private static void text(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String size = request.getParameter("size");
        byte[] body = ConformanceService.text(size == null ? 100 : Integer.parseInt(size));
        String type = request.getParameter("type");
        response.setContentType(type == null ? "text/plain" : type);
        String frame = request.getParameter("frame");
        if (frame != null) {
            response.setHeader("X-Frame-Options", frame);
        }
        String fail = request.getHeader("X-Fail");
        if (fail != null) {
            response.setStatus(Integer.parseInt(fail));
            body = "failed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        String cache = request.getParameter("cache");
        if (cache != null) {
            response.setHeader("Cache-Control", cache);
        }
        String etag = request.getParameter("etag");
        if (etag != null && fail == null) {
            response.setHeader("ETag", "\"" + etag + "\"");
            if (("\"" + etag + "\"").equals(request.getHeader("If-None-Match"))) {
                response.setStatus(304);
                return;
            }
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static void stream(HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        ServletOutputStream out = response.getOutputStream();
        byte[] chunk = ConformanceService.text(ConformanceService.CHUNK_SIZE);
        for (int i = 0; i < ConformanceService.STREAM_CHUNKS; i++) {
            out.write(chunk);
            out.flush();
        }
    }

    private static void async(HttpServletRequest request) {
        AsyncContext async = request.startAsync();
        CompletableFuture.runAsync(() -> {
            try {
                HttpServletResponse response = (HttpServletResponse) async.getResponse();
                response.setContentType("text/plain");
                response.getOutputStream().write(ConformanceService.text(ConformanceService.ASYNC_SIZE));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                async.complete();
            }
        });
    }
}
