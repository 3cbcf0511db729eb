package dev.gatehouse.jetty;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Gatehouse {@link RouteTable} (or one {@link PolicyChain}) in front of the Jetty 12 core handler it wraps:
 *
 * <pre>{@code
 * OffloadHandler offload = OffloadHandler.of(chain);
 * offload.setHandler(service);
 * server.setHandler(offload);
 * }</pre>
 *
 * <p>The handler only translates. Before any policy runs, client copies of the route table's protected headers
 * are removed; refusals and replays are written here and the wrapped handler is never called. Otherwise the
 * wrapped handler gets a request whose fields carry the policies' edits ({@code Connection} cannot name them away)
 * and whose content is the body a policy buffered, if one did; and a response whose head passes through the
 * policies at its first write (or at the end, if nothing was written) and whose body passes through their
 * transforms, write by write, flushes included. A handler that throws or fails its callback before committing gets
 * a logged 500 problem+json that still passes through the policies; after committing, the response is aborted and
 * the client sees it truncated. A handler that does not handle the request gets Jetty's 404, through the policies.
 * The exchange's path is the path in the context, decoded and normalized by Jetty.
 *
 * <p>Request hooks run on the thread that calls {@link #handle}, and may block (a store): this handler's
 * invocation type is {@link InvocationType#BLOCKING}. Waiting on a client or on another exchange holds no thread:
 * a body that a policy reads (an idempotency fingerprint, a webhook signature, request decompression) is read as
 * the client sends it, the hooks stopped before that policy and going on on the thread that Jetty calls back with
 * its last bytes; a policy's pending stage ({@link dev.gatehouse.OffloadPolicy#pending}: a collapsed cache miss
 * waiting for its leader) is waited for the same way, the hooks going on on a pooled thread.
 */
public final class OffloadHandler extends Handler.Wrapper {
    private static final Logger log = LoggerFactory.getLogger(OffloadHandler.class);

    private final RouteTable routes;

    private OffloadHandler(RouteTable routes) {
        this.routes = requireNonNull(routes, "routes");
    }

    public static OffloadHandler of(RouteTable routes) {
        return new OffloadHandler(routes);
    }

    public static OffloadHandler of(PolicyChain chain) {
        return new OffloadHandler(RouteTable.of(chain));
    }

    /**
     * The exchange an {@code OffloadHandler} runs for {@code request}, for a handler behind it that has something
     * to add to it — a note in its {@link dev.gatehouse.DecisionLog}, say; empty when no policy chain runs for it.
     */
    public static Optional<Exchange> exchange(Request request) {
        OffloadRequest offloaded = Request.as(request, OffloadRequest.class);
        return offloaded == null
                ? Optional.empty()
                : Optional.of(offloaded.run().exchange());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        JettyFields fields;
        try {
            fields = JettyFields.copiedOnEdit(request.getHeaders());
        } catch (IllegalArgumentException e) {
            log.warn(
                    "refused {} {}: {}",
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    e.getMessage());
            writeDirectly(request, response, callback, HostExchange.MALFORMED_HEADERS);
            return true;
        }
        HostExchange exchange = exchangeOf(request, fields);
        ChainRun run = ChainRun.start(routes, exchange);
        goOn(request, fields, exchange, run, response, callback);
        return true;
    }

    /**
     * After the request hooks ran or stopped: when they wait for the body, reads it as it arrives and resumes them
     * (on whichever thread Jetty calls back with its last bytes); when they wait for a policy's pending stage,
     * resumes them once it completes, on a pooled thread; otherwise answers or calls the wrapped handler.
     */
    private void goOn(
            Request request,
            JettyFields fields,
            HostExchange exchange,
            ChainRun run,
            Response response,
            Callback callback) {
        int awaitedBody = run.awaitedBody();
        if (awaitedBody > 0) {
            DeferredBody.read(request, awaitedBody + 1L, body -> {
                try {
                    exchange.supplyBody(body);
                    run.resume();
                    goOn(request, fields, exchange, run, response, callback);
                } catch (Throwable failure) {
                    callback.failed(failure);
                }
            });
            return;
        }
        Optional<CompletionStage<?>> awaited = run.awaited();
        if (awaited.isPresent()) {
            // Never on the thread that completes the stage (another exchange's, or the timeout's single thread).
            awaited.get()
                    .whenCompleteAsync(
                            (ignored, failure) -> {
                                try {
                                    run.resume();
                                    goOn(request, fields, exchange, run, response, callback);
                                } catch (Throwable thrown) {
                                    callback.failed(thrown);
                                }
                            },
                            request.getComponents().getExecutor());
            return;
        }
        afterRequestHooks(request, fields, run, response, callback);
    }

    /** Answers for the policies, or calls the wrapped handler with the policies' request and response. */
    private void afterRequestHooks(
            Request request, JettyFields fields, ChainRun run, Response response, Callback callback) {
        Optional<StoredResponse> answer = run.answer();
        if (answer.isPresent()) {
            OffloadResponse clientResponse = new OffloadResponse(request, response, run);
            request.consumeAvailable();
            clientResponse.writeAnswer(answer.get(), new ServiceCallback(clientResponse, callback));
            return;
        }
        OffloadRequest upstreamRequest = new OffloadRequest(request, fields, run);
        OffloadResponse clientResponse = new OffloadResponse(upstreamRequest, response, run);
        ServiceCallback done = new ServiceCallback(clientResponse, callback);
        try {
            if (!super.handle(upstreamRequest, clientResponse, done)) {
                Response.writeError(upstreamRequest, clientResponse, done, HttpStatus.NOT_FOUND_404);
            }
        } catch (Throwable failure) {
            done.failed(failure);
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.BLOCKING;
    }

    /** The exchange for {@code request}, whose headers are the client's fields, read and edited in place. */
    static HostExchange exchangeOf(Request request, JettyFields fields) {
        HttpURI uri = request.getHttpURI();
        if (uri.getAuthority() != null && request.getHeaders().get(HttpHeader.HOST) == null) {
            // HTTP/2 carries the authority in :authority, not Host: policies that read Host (a cache's key, CORS,
            // a route by host) must see it, or two authorities would share one cache key.
            fields.add(HttpHeader.HOST.asString(), uri.getAuthority());
        }
        String path = Request.getPathInContext(request);
        HostExchange.Builder exchange = HostExchange.builder(
                        request.getMethod(), path == null || path.isEmpty() ? "/" : path)
                .query(uri.getQuery())
                // The connection's scheme, never the request target's: an absolute-form "https://…" sent in clear
                // text must not pass for HTTPS (HSTS, X-Forwarded-Proto). A customizer that trusts a proxy's word
                // (Jetty's ForwardedRequestCustomizer) wraps the connection's metadata itself.
                .scheme(request.getConnectionMetaData().isSecure() ? "https" : "http")
                .headers(Headers.over(fields))
                .nonBlocking();
        SocketAddress peer = request.getConnectionMetaData().getRemoteSocketAddress();
        if (peer instanceof InetSocketAddress inet) {
            exchange.peerAddress(hostAddress(inet));
        }
        if (request.getConnectionMetaData().isSecure()) {
            exchange.clientCertificates(clientCertificates(request));
        }
        return (HostExchange) exchange.build(); // the builder builds HostExchange
    }

    /**
     * The chain the TLS handshake verified: from the request when a {@code SecureRequestCustomizer} recorded it,
     * otherwise from the connection's TLS end point.
     */
    private static X509Certificate @Nullable [] clientCertificates(Request request) {
        EndPoint.SslSessionData tls = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
                        instanceof EndPoint.SslSessionData data
                ? data
                : request.getConnectionMetaData().getConnection().getEndPoint().getSslSessionData();
        return tls == null ? null : tls.peerCertificates();
    }

    /** {@code 192.0.2.7}, {@code 2001:db8::1} (without brackets or a scope). */
    private static String hostAddress(InetSocketAddress peer) {
        InetAddress address = peer.getAddress();
        if (address == null) {
            return peer.getHostString();
        }
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    private static void writeDirectly(Request request, Response response, Callback callback, StoredResponse answer) {
        request.consumeAvailable();
        response.setStatus(answer.status());
        answer.headers().forEach((name, value) -> {
            if (name.equalsIgnoreCase("Date")) {
                response.getHeaders().put(HttpHeader.DATE, value);
            } else {
                response.getHeaders().add(name, value);
            }
        });
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.bodyLength());
        response.write(true, java.nio.ByteBuffer.wrap(answer.body()), callback);
    }

    @Override
    public String toString() {
        return "OffloadHandler[" + routes + "]";
    }
}
