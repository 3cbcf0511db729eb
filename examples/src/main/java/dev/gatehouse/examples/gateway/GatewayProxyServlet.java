package dev.gatehouse.examples.gateway;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.DecisionLog;
import dev.gatehouse.Problem;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's {@link ProxyServlet} with what a gateway needs on top:
 *
 * <ul>
 *   <li>the upstream is chosen by route, round-robin among those passive health has not ejected, behind the
 *       route's circuit breaker (503 with {@code Retry-After} while it is open or no upstream is healthy);
 *   <li>an idempotent request without a body that failed before any response began is retried on another
 *       upstream, up to the route's {@code retries};
 *   <li>bodies over the route's limit get 413 — before any upstream is called when the length is declared;
 *   <li>forwarding headers a client sent are dropped ({@code X-Forwarded-*}, {@code Forwarded} and {@code Via}
 *       are written by the gateway alone); headers the backend names in {@code Connection}, and its {@code
 *       Server}, never reach the client;
 *   <li>each route has its own timeout; errors are problem+json, and the access log says which upstream failed
 *       and why ({@code upstream:fail(127.0.0.1:9001 connection refused, 2 attempts)}).
 * </ul>
 */
final class GatewayProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FORWARDING =
            Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via");
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    private static final String ATTEMPT = GatewayProxyServlet.class.getName() + ".attempt";
    /** Upstream response headers larger than this are a broken upstream: 502 at once. */
    static final int MAX_RESPONSE_HEADER_BYTES = 16 * 1024;

    private final transient Routing routing;
    private final long connectTimeoutMillis;
    private final int maxRequestHeaderBytes;

    GatewayProxyServlet(Routing routing, long connectTimeoutMillis, int maxRequestHeaderBytes) {
        this.maxRequestHeaderBytes = maxRequestHeaderBytes;
        this.routing = routing;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** One client request's way through the upstreams. */
    private static final class Attempt {
        final Routing.Live route;
        final long started = System.nanoTime();
        final Set<Upstreams.Upstream> tried = new HashSet<>(2);
        Upstreams.@Nullable Upstream upstream;
        long attemptStarted;
        boolean clientFailed;
        boolean sent;

        @Nullable
        String refusal;

        Attempt(Routing.Live route) {
            this.route = route;
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Routing.Live route = routing.of(request);
        if (route == null) {
            writeProblem(response, 404, "No route for this path.", null);
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > route.config().maxBodyBytes()) {
            note(
                    request,
                    "body-limit",
                    "reject",
                    "Content-Length " + declared + " over " + route.config().maxBodyBytes());
            // The body stays unread (no 100 Continue was sent): close rather than drain it.
            closeAfter(request, response);
            writeProblem(
                    response,
                    413,
                    "The request body is larger than " + route.config().maxBodyBytes() + " bytes.",
                    null);
            return;
        }
        if (!route.upstreams().admit()) {
            note(request, "upstream", "reject", "circuit open on " + route.name());
            writeProblem(
                    response,
                    503,
                    "The upstream is failing; the gateway has stopped calling it for a while.",
                    route.upstreams().breakerRetryAfterSeconds());
            return;
        }
        Attempt attempt = new Attempt(route);
        request.setAttribute(ATTEMPT, attempt);
        try {
            super.service(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            if (!attempt.sent) {
                // Nothing reached an upstream: give back the permits the breakers handed out for this request.
                route.upstreams().releaseRoute();
                if (attempt.upstream != null) {
                    attempt.upstream.health.releasePermission();
                }
            }
            throw e;
        }
    }

    @Override
    protected String rewriteTarget(HttpServletRequest request) {
        return target(request, (Attempt) request.getAttribute(ATTEMPT));
    }

    private @Nullable String target(HttpServletRequest request, Attempt attempt) {
        Upstreams.Upstream upstream = attempt.route.upstreams().choose(attempt.tried);
        if (upstream == null) {
            return null;
        }
        attempt.upstream = upstream;
        attempt.tried.add(upstream);
        attempt.attemptStarted = System.nanoTime();
        String query = request.getQueryString();
        return upstream.base + request.getRequestURI() + (query == null ? "" : "?" + query);
    }

    /** No upstream to call: all are ejected. */
    @Override
    protected void onProxyRewriteFailed(HttpServletRequest request, HttpServletResponse response) {
        Attempt attempt = (Attempt) request.getAttribute(ATTEMPT);
        attempt.route.upstreams().releaseRoute();
        note(request, "upstream", "reject", "no healthy upstream on " + attempt.route.name());
        writeProblem(
                response,
                503,
                "No healthy upstream for this route.",
                attempt.route.upstreams().ejectionRetryAfterSeconds());
    }

    /**
     * Whether the request has a body to forward. Jetty's check looks for {@code Content-Length} or {@code
     * Transfer-Encoding}; an HTTP/2 or HTTP/3 request frames its body without either, and would reach the
     * upstream empty. Such a request has a body unless its headers ended the stream (Jetty then states a
     * length of 0).
     */
    @Override
    protected boolean hasContent(HttpServletRequest request) {
        if (super.hasContent(request)) {
            return true;
        }
        return !request.getProtocol().startsWith("HTTP/1") && request.getContentLengthLong() < 0;
    }

    /**
     * The request body. Up to the route's request buffer it is read whole first, so that a malformed or
     * oversized body is refused (400, 413) before any upstream is called, like nginx's {@code
     * proxy_request_buffering}; past the buffer the rest streams, cut at the route's limit, and a body that
     * turns out malformed aborts the upstream request.
     */
    @Override
    protected Request.Content proxyRequestContent(
            HttpServletRequest request, HttpServletResponse response, Request proxyRequest) throws IOException {
        GatewayRoute route = ((Attempt) request.getAttribute(ATTEMPT)).route.config();
        InputStream body = request.getInputStream();
        long declared = request.getContentLengthLong();
        if (declared < 0) {
            body = new LimitedInputStream(body, route.maxBodyBytes());
        }
        int buffer = (int) route.requestBufferBytes();
        if (buffer > 0 && declared <= buffer) {
            byte[] head = body.readNBytes(declared >= 0 ? (int) declared : buffer);
            if (declared >= 0) {
                if (head.length != declared) {
                    throw new EofException("request body ended after " + head.length + " of " + declared + " bytes");
                }
                return new BytesRequestContent(head);
            }
            int next = body.read();
            if (next < 0) {
                return new BytesRequestContent(head);
            }
            // Longer than the buffer: send what was read, then stream the rest.
            body = new SequenceInputStream(
                    new ByteArrayInputStream(head),
                    new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) next}), body));
        }
        return new ProxyInputStreamRequestContent(request, response, proxyRequest, body) {};
    }

    /** Counts a chunked body and fails the exchange with 413 as soon as it crosses the limit. */
    private static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long read;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > limit) {
                throw new IOException(new BadMessageException(413, "body over " + limit + " bytes"));
            }
        }
    }

    @Override
    protected void onClientRequestFailure(
            HttpServletRequest clientRequest,
            Request proxyRequest,
            HttpServletResponse proxyResponse,
            Throwable failure) {
        if (clientRequest.getAttribute(ATTEMPT) instanceof Attempt attempt) {
            attempt.clientFailed = true;
            Integer status = clientFault(failure);
            if (status != null && status == 413) {
                note(
                        clientRequest,
                        "body-limit",
                        "reject",
                        "chunked body over " + attempt.route.config().maxBodyBytes());
            }
        }
        super.onClientRequestFailure(clientRequest, proxyRequest, proxyResponse, failure);
    }

    @Override
    protected Response.Listener newProxyResponseListener(HttpServletRequest request, HttpServletResponse response) {
        return new AttemptListener(request, response);
    }

    /** Records each attempt's outcome for passive health and the breaker, and retries where that is safe. */
    private final class AttemptListener extends ProxyResponseListener {
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private boolean begun;

        AttemptListener(HttpServletRequest request, HttpServletResponse response) {
            super(request, response);
            this.request = request;
            this.response = response;
        }

        @Override
        public void onBegin(Response serverResponse) {
            begun = true;
            super.onBegin(serverResponse);
        }

        @Override
        public void onComplete(Result result) {
            Attempt attempt = (Attempt) request.getAttribute(ATTEMPT);
            Upstreams.Upstream upstream = attempt.upstream;
            long now = System.nanoTime();
            Throwable failure = result.getFailure();
            int status = result.getResponse() == null ? 0 : result.getResponse().getStatus();
            boolean clientFault = failure != null && (attempt.clientFailed || clientFault(failure) != null);
            Throwable outcome = failure != null ? failure : status >= 500 ? new Upstreams.FailedStatus(status) : null;
            if (clientFault) {
                upstream.health.releasePermission();
            } else if (outcome != null) {
                upstream.health.onError(now - attempt.attemptStarted, TimeUnit.NANOSECONDS, outcome);
            } else {
                upstream.health.onSuccess(now - attempt.attemptStarted, TimeUnit.NANOSECONDS);
            }
            if (failure != null
                    && !clientFault
                    && !begun
                    && !(failure instanceof TimeoutException)
                    && attempt.tried.size() <= attempt.route.config().retries()
                    && replayable(request)) {
                String target = target(request, attempt);
                if (target != null) {
                    note(request, "upstream", "retry", upstream + " " + describe(failure));
                    resend(target);
                    return;
                }
            }
            if (clientFault) {
                attempt.route.upstreams().releaseRoute();
            } else {
                attempt.route.upstreams().recordRoute(now - attempt.started, outcome);
            }
            if (failure != null && !clientFault) {
                note(
                        request,
                        "upstream",
                        "fail",
                        upstream + " " + describe(failure) + ", " + attempt.tried.size() + " attempt"
                                + (attempt.tried.size() == 1 ? "" : "s"));
            } else if (attempt.tried.size() > 1) {
                note(request, "upstream", "ok", upstream + " after " + (attempt.tried.size() - 1) + " retry");
            }
            super.onComplete(result);
        }

        /** Sends the request again, to {@code target}. */
        private void resend(String target) {
            Request retry = newProxyRequest(request, target);
            copyRequestHeaders(request, retry);
            addProxyHeaders(request, retry);
            sendProxyRequest(request, response, retry);
        }
    }

    /** Idempotent, and no body that would have to be sent again. */
    private static boolean replayable(HttpServletRequest request) {
        return IDEMPOTENT.contains(request.getMethod())
                && request.getContentLengthLong() <= 0
                && request.getHeader("Transfer-Encoding") == null;
    }

    private static String describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (cause instanceof TimeoutException) {
                return "timed out";
            }
            if (cause instanceof org.eclipse.jetty.http.HttpException http) {
                return "bad response (" + http.getReason() + ")";
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + printable(message));
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 120));
        for (int i = 0; i < text.length() && out.length() < 120; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    /** A note in the exchange's decision log, which the access log writes. */
    private static void note(HttpServletRequest request, String policy, String outcome, String reason) {
        OffloadFilter.exchange(request)
                .ifPresent(exchange -> DecisionLog.of(exchange).add(policy, outcome, reason));
    }

    /** A malformed request body (bad chunking) is the client's fault: 400, not Jetty's 502. */
    @Override
    protected int proxyResponseStatus(Throwable failure) {
        Integer client = clientFault(failure);
        return client != null ? client : super.proxyResponseStatus(failure);
    }

    @Override
    protected int clientRequestStatus(Throwable failure) {
        Integer client = clientFault(failure);
        return client != null ? client : super.clientRequestStatus(failure);
    }

    private static @Nullable Integer clientFault(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Jetty's parser reports bad chunking and early EOF of the client's body as HttpExceptions (400);
            // the body limit as 413.
            if (cause instanceof org.eclipse.jetty.http.HttpException http
                    && http.getCode() >= 400
                    && http.getCode() < 500) {
                return http.getCode();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** Errors as problem+json instead of Jetty's error page; once the response is committed, an abort. */
    @Override
    protected void sendProxyResponseError(
            HttpServletRequest clientRequest, HttpServletResponse proxyResponse, int status) {
        if (proxyResponse.isCommitted()) {
            super.sendProxyResponseError(clientRequest, proxyResponse, status);
            return;
        }
        try {
            proxyResponse.resetBuffer();
            closeAfter(clientRequest, proxyResponse);
            writeProblem(proxyResponse, status, errorDetail(status), null);
        } finally {
            if (clientRequest.isAsyncStarted()) {
                clientRequest.getAsyncContext().complete();
            }
        }
    }

    /** HTTP/1 only: HTTP/2 has no Connection field; its streams end on their own. */
    private static void closeAfter(HttpServletRequest request, HttpServletResponse response) {
        if (request.getProtocol().startsWith("HTTP/1")) {
            response.setHeader("Connection", "close");
        }
    }

    private static String errorDetail(int status) {
        return switch (status) {
            case 400 -> "The request body is malformed.";
            case 413 -> "The request body is too large.";
            case 502 -> "The upstream could not be reached or sent an invalid response.";
            case 504 -> "The upstream did not answer in time.";
            default -> "The request could not be proxied.";
        };
    }

    private void writeProblem(HttpServletResponse response, int status, String detail, @Nullable Long retryAfter) {
        try {
            byte[] body = Problem.of(status, detail).toJson();
            response.setStatus(status);
            response.setContentType(Problem.MEDIA_TYPE);
            if (retryAfter != null) {
                response.setHeader("Retry-After", Long.toString(retryAfter));
            }
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        } catch (IOException e) {
            _log.debug("could not answer {}", status, e);
        }
    }

    /**
     * Each piece of the upstream body goes to the client at once: Jetty's proxy only writes into the response
     * buffer, which held an event stream back until the buffer filled or the upstream wrote again.
     */
    @Override
    protected void onResponseContent(
            HttpServletRequest request,
            HttpServletResponse response,
            Response proxyResponse,
            byte[] buffer,
            int offset,
            int length,
            Callback callback) {
        try {
            ServletOutputStream out = response.getOutputStream();
            out.write(buffer, offset, length);
            out.flush();
            callback.succeeded();
        } catch (Throwable failure) {
            callback.failed(failure);
        }
    }

    @Override
    protected HttpClient createHttpClient() throws ServletException {
        HttpClient client = super.createHttpClient();
        client.setConnectTimeout(connectTimeoutMillis);
        // Whatever head the listener accepts must fit the upstream request too, with the forwarding headers
        // the gateway adds: a client's 12 KiB of headers must not become a 502.
        client.setRequestBufferSize(maxRequestHeaderBytes + 8192);
        client.setMaxResponseHeadersSize(MAX_RESPONSE_HEADER_BYTES);
        return client;
    }

    /** The route's timeout, set last: Jetty sets the servlet-wide one while it builds the request. */
    @Override
    protected void sendProxyRequest(
            HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Request proxyRequest) {
        Attempt attempt = (Attempt) clientRequest.getAttribute(ATTEMPT);
        proxyRequest.timeout(attempt.route.config().timeout().toMillis(), TimeUnit.MILLISECONDS);
        attempt.sent = true;
        super.sendProxyRequest(clientRequest, proxyResponse, proxyRequest);
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        super.copyRequestHeaders(clientRequest, proxyRequest);
        proxyRequest.headers(headers -> FORWARDING.forEach(headers::remove));
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        // The client as the route's trusted proxies establish it (the peer itself unless one is configured).
        String client = OffloadFilter.exchange(clientRequest)
                .flatMap(exchange -> exchange.attribute(ClientAddress.KEY))
                .orElse(clientRequest.getRemoteAddr());
        HttpServletRequest asSeen = client.equals(clientRequest.getRemoteAddr())
                ? clientRequest
                : new HttpServletRequestWrapper(clientRequest) {
                    @Override
                    public String getRemoteAddr() {
                        return client;
                    }
                };
        addViaHeader(clientRequest, proxyRequest);
        addForwardedHeader(asSeen, proxyRequest);
        // HTTP/2 has no Host field, only the :authority the request URL is built from.
        String host = clientRequest.getHeader("Host") != null
                ? clientRequest.getHeader("Host")
                : URI.create(clientRequest.getRequestURL().toString()).getRawAuthority();
        proxyRequest.headers(headers -> {
            headers.put("X-Forwarded-For", client);
            headers.put("X-Forwarded-Proto", clientRequest.getScheme());
            if (host != null) {
                headers.put("X-Forwarded-Host", host);
            }
        });
    }

    @Override
    protected void onServerResponseHeaders(
            HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Response serverResponse) {
        List<String> named = List.of();
        for (HttpField field : serverResponse.getHeaders()) {
            if (field.getLowerCaseName().equals("connection")) {
                named = new ArrayList<>(named);
                for (String token : field.getValue().split(",")) {
                    named.add(token.trim());
                }
            }
        }
        super.onServerResponseHeaders(clientRequest, proxyResponse, serverResponse);
        for (String name : named) {
            if (!name.isEmpty() && proxyResponse.containsHeader(name)) {
                proxyResponse.setHeader(name, null);
            }
        }
        if (proxyResponse.containsHeader("Server")) {
            proxyResponse.setHeader("Server", null);
        }
    }
}
