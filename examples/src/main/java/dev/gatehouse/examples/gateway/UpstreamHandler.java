package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.idempotency.IdempotencyPolicy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;

/**
 * The end of every route's pipeline, behind its policies: refuses a declared body over the route's limit (413,
 * before anything is read, so no {@code 100 Continue} goes out), takes the route's breaker permit (503 while it is
 * open), reads the body up to the route's request buffer (400/413 before any upstream is called), then hands the
 * request to an {@link UpstreamCall} — or, a WebSocket upgrade on a route that relays them, to the {@link
 * WebSocketRelay}. Request hooks may block here: the body is read on this thread.
 */
final class UpstreamHandler extends Handler.Abstract {
    private final HttpClient client;
    private final WebSocketRelay webSockets;

    UpstreamHandler(HttpClient client, WebSocketRelay webSockets) {
        super(InvocationType.BLOCKING);
        this.client = requireNonNull(client, "client");
        this.webSockets = requireNonNull(webSockets, "webSockets");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        LiveRoute route = LiveRoute.of(request);
        if (route == null) {
            Problems.write(response, callback, 404, "No route for this path.", null);
            return true;
        }
        String pathQuery = UpstreamPath.of(
                route.config(),
                request.getHttpURI().getPath(),
                request.getHttpURI().getQuery());
        if (pathQuery == null) {
            Problems.note(
                    request, "path", "reject", "a malformed escape, or a transformed path that leaves the upstream");
            Problems.undelivered(request, IdempotencyPolicy.Undelivered.NOT_SENT);
            Problems.write(response, callback, 400, "The path or query cannot be sent upstream.", null);
            return true;
        }
        long limit = route.config().maxBodyBytes();
        long declared = request.getLength();
        if (declared > limit) {
            Problems.note(request, "body-limit", "reject", "Content-Length " + declared + " over " + limit);
            Problems.undelivered(request, IdempotencyPolicy.Undelivered.NOT_SENT);
            Problems.closeAfter(request, response);
            Problems.write(response, callback, 413, "The request body is larger than " + limit + " bytes.", null);
            return true;
        }
        Upstreams.Permit permit = route.upstreams().admit();
        if (permit == null) {
            Problems.note(request, "upstream", "reject", "circuit open on " + route.name());
            Problems.undelivered(request, IdempotencyPolicy.Undelivered.NOT_SENT);
            Problems.write(
                    response,
                    callback,
                    503,
                    "The upstream is failing; the gateway has stopped calling it for a while.",
                    route.upstreams().breakerRetryAfterSeconds());
            return true;
        }
        if (route.config().websocket() != null && HopByHopRequest.isWebSocketUpgrade(request)) {
            webSockets.relay(route, request, response, callback, permit, pathQuery);
            return true;
        }
        // From here the call owns the permit: it ends it with the exchange, whichever way that goes.
        AtomicBoolean clientFailed = new AtomicBoolean();
        if (UpstreamBody.absent(request)) {
            new UpstreamCall(client, route, request, response, callback, permit, pathQuery, null, clientFailed).start();
            return true;
        }
        UpstreamBody.read(
                request,
                route.config(),
                () -> clientFailed.set(true),
                Promise.from(
                        body -> new UpstreamCall(
                                        client,
                                        route,
                                        request,
                                        response,
                                        callback,
                                        permit,
                                        pathQuery,
                                        body,
                                        clientFailed)
                                .start(),
                        failure -> {
                            permit.release();
                            int status = failure instanceof BadMessageException bad ? bad.getCode() : 400;
                            if (status == 413) {
                                Problems.note(request, "body-limit", "reject", "body over " + limit);
                            }
                            // Jetty reads on what the client has already sent and closes the connection if it
                            // cannot.
                            Problems.undelivered(request, IdempotencyPolicy.Undelivered.NOT_SENT);
                            // A 413 goes out as soon as the limit is crossed; the rest of the body is read and dropped
                            // after it (up to a limit), so that a client still sending reads the 413, not a reset.
                            Callback then = status == 413
                                    ? Callback.from(
                                            () -> UpstreamBody.discard(request, callback::succeeded), callback::failed)
                                    : callback;
                            Problems.write(
                                    response,
                                    then,
                                    status,
                                    status == 413 ? "The request body is too large." : "The request body is malformed.",
                                    null);
                        }));
        return true;
    }
}
