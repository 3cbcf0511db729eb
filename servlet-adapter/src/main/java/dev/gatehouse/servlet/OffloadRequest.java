package dev.gatehouse.servlet;

import dev.gatehouse.Headers;
import dev.gatehouse.RequestBody;
import dev.gatehouse.host.ChainRun;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request the servlet sees: the client's, with the policies' header edits overlaid, the buffered body
 * replayed if a policy read it, and {@code startAsync} wrapped so that completing finishes the response.
 */
final class OffloadRequest extends HttpServletRequestWrapper {
    private static final Logger log = LoggerFactory.getLogger(OffloadFilter.class);
    static final String NOT_ASYNC_SUPPORTED = "startAsync() refused: a filter or servlet of this request's chain is"
            + " not async-supported. Register OffloadFilter with OffloadFilter.register(servletContext, routes), or"
            + " mark its registration async-supported (FilterRegistration.Dynamic.setAsyncSupported(true),"
            + " <async-supported>true</async-supported> in web.xml) and map it for the REQUEST and ASYNC"
            + " dispatcher types";
    private final OffloadResponse response;
    private final Set<String> editedHeaders;
    private final Headers upstreamHeaders;
    private final Optional<RequestBody> body;
    private ServletInputStream bodyStream;
    private BufferedReader bodyReader;
    private OffloadAsyncContext asyncContext;

    OffloadRequest(HttpServletRequest clientRequest, OffloadResponse response, ChainRun run) {
        super(clientRequest);
        this.response = response;
        this.upstreamHeaders = run.exchange().requestHeaders();
        this.body = run.exchange().body();
        if (run.exchange().bodyReplaced() && body.isPresent()) {
            // A policy replaced the body (decompression): its framing is the host's to state.
            upstreamHeaders.set("Content-Length", Integer.toString(body.get().length()));
            upstreamHeaders.remove("Transfer-Encoding");
            Set<String> edited = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            edited.addAll(run.editedRequestHeaders());
            edited.add("Content-Length");
            edited.add("Transfer-Encoding");
            this.editedHeaders = edited;
        } else {
            this.editedHeaders = run.editedRequestHeaders();
        }
    }

    private boolean edited(String name) {
        return !editedHeaders.isEmpty() && editedHeaders.contains(name);
    }

    @Override
    public String getHeader(String name) {
        return edited(name) ? upstreamHeaders.first(name).orElse(null) : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return edited(name) ? Collections.enumeration(upstreamHeaders.all(name)) : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        if (editedHeaders.isEmpty()) {
            return super.getHeaderNames();
        }
        List<String> names = new ArrayList<>();
        for (Enumeration<String> client = super.getHeaderNames(); client.hasMoreElements(); ) {
            String name = client.nextElement();
            if (!edited(name) && !names.contains(name)) {
                names.add(name);
            }
        }
        // Each edited name once, in the spelling of its first field; none is among the client's names above.
        for (int i = 0; i < upstreamHeaders.size(); i++) {
            String name = upstreamHeaders.name(i);
            if (edited(name) && firstOf(name, i)) {
                names.add(name);
            }
        }
        return Collections.enumeration(names);
    }

    /** Whether the upstream field at {@code index} is the first of its name, in any letter case. */
    private boolean firstOf(String name, int index) {
        for (int i = 0; i < index; i++) {
            if (upstreamHeaders.name(i).equalsIgnoreCase(name)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int getContentLength() {
        long length = getContentLengthLong();
        return length > Integer.MAX_VALUE ? -1 : (int) length;
    }

    @Override
    public long getContentLengthLong() {
        if (!edited("Content-Length")) {
            return super.getContentLengthLong();
        }
        return upstreamHeaders.first("Content-Length").map(Long::parseLong).orElse(-1L);
    }

    @Override
    public int getIntHeader(String name) {
        if (!edited(name)) {
            return super.getIntHeader(name);
        }
        String value = getHeader(name);
        return value == null ? -1 : Integer.parseInt(value.trim());
    }

    @Override
    public long getDateHeader(String name) {
        if (!edited(name)) {
            return super.getDateHeader(name);
        }
        String value = getHeader(name);
        if (value == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": not an HTTP date", e);
        }
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (body.isEmpty()) {
            return super.getInputStream();
        }
        if (bodyReader != null) {
            throw new IllegalStateException("getReader() has been called on this request");
        }
        if (bodyStream == null) {
            bodyStream = new BufferedServletInputStream(body.get());
        }
        return bodyStream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (body.isEmpty()) {
            return super.getReader();
        }
        if (bodyStream != null) {
            throw new IllegalStateException("getInputStream() has been called on this request");
        }
        if (bodyReader == null) {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            bodyReader = new BufferedReader(new InputStreamReader(new BufferedServletInputStream(body.get()), charset));
        }
        return bodyReader;
    }

    @Override
    public AsyncContext startAsync() {
        return startAsync(this, response);
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse servletResponse) {
        AsyncContext started;
        try {
            started = super.startAsync(request, servletResponse);
        } catch (IllegalStateException e) {
            if (isAsyncSupported()) {
                throw e;
            }
            // Tomcat's and Undertow's filter registrations are not async-supported unless asked to be.
            log.error(NOT_ASYNC_SUPPORTED);
            throw new IllegalStateException(NOT_ASYNC_SUPPORTED, e);
        }
        started.addListener(response);
        asyncContext = new OffloadAsyncContext(started, response);
        return asyncContext;
    }

    @Override
    public AsyncContext getAsyncContext() {
        AsyncContext current = super.getAsyncContext();
        return asyncContext != null && asyncContext.wraps(current) ? asyncContext : current;
    }
}
