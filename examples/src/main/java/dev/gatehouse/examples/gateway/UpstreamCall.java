package dev.gatehouse.examples.gateway;

import dev.gatehouse.idempotency.IdempotencyPolicy;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * One client request's way through a route's upstreams, and the only owner of what that takes: the route's breaker
 * permit, the upstream choice (by weight or pin over healthy upstreams) with each attempt's health permit, retries, and
 * the relay of the upstream response.
 *
 * <ul>
 *   <li>Permits end in one place. The call holds the route permit from its start; {@link #end} — which every path
 *       reaches, because it completes Jetty's callback — ends it and the attempt's permit, recording an outcome
 *       when there is one and releasing them otherwise. An outcome that says nothing about the upstream (the
 *       client's fault: a malformed or oversized body, a client gone away) releases them.
 *   <li>A failed attempt is retried on another upstream only for an idempotent request without a body, only when
 *       no response had begun, never after a timeout, at most {@code retries} times. Such a request whose
 *       connection failed (not refused) gets one more try on the same upstream first, counted against nothing: the
 *       upstream may have closed a pooled connection as the request went out on it.
 *   <li>Errors before the response is committed are problem+json (400/413 for the client's body, 502 unreachable or
 *       broken, 504 timed out); after it is committed the client response is aborted, so the client sees it
 *       truncated.
 *   <li>Each piece of the upstream body is written on at once (server-sent events flow); the next is read once it
 *       has been written.
 * </ul>
 */
final class UpstreamCall implements org.eclipse.jetty.client.Response.Listener {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    /** How soon after it was sent a failed attempt may have met a pooled connection the upstream was closing. */
    static final java.time.Duration STALE_CONNECTION_WINDOW = java.time.Duration.ofMillis(250);
    /** The upstream request's attribute that names its call, for the client's 103 handler. */
    static final String ATTRIBUTE = UpstreamCall.class.getName();
    /**
     * The status an upstream failure stands for (502, or 504 for a timeout), on a request whose response head had
     * passed the policies but had not reached the client: Jetty's error page then says so, not 500.
     */
    static final String FAILED_STATUS = UpstreamCall.class.getName() + ".failedStatus";

    private final HttpClient client;
    private final LiveRoute route;
    private final Request clientRequest;
    private final Response clientResponse;
    private final Callback callback;
    private final Upstreams.Permit routePermit;
    /** The path and query for the upstream, transformed by the route. */
    private final String pathQuery;

    private final org.eclipse.jetty.client.Request.@Nullable Content body;
    /** Set when the client's body failed (malformed, over the limit, cut off) or the client went away. */
    private final AtomicBoolean clientFailed;

    private final Set<Upstreams.Upstream> tried = new HashSet<>(2);
    private final Callback.Completable lastWrite = new Callback.Completable();
    private Upstreams.@Nullable Choice attempt;
    private volatile boolean begun;
    /** Whether the one retry for a pooled connection closed under the request was taken. */
    private boolean staleRetried;
    /** The upstream's declared body length (-1 when it declared none) and the bytes relayed so far. */
    private long declaredLength = -1;
    /**
     * Whether a piece of the body is being written to the client: the upstream is not read meanwhile, so a timeout
     * then is the client's slowness (or a download longer than the timeout), not the upstream's failure.
     */
    private volatile boolean awaitingClient;

    private long relayed;
    /** The upstream's trailers to relay, once it has sent them; null for none. */
    private volatile @Nullable HttpFields trailers;

    /** Whether the piece that completed the declared length went out as the response's last write. */
    private boolean lastWritten;

    /** The client's 103 Early Hints once one was written (or is being written): the response's writes follow it. */
    private volatile @Nullable CompletableFuture<Void> hints;

    UpstreamCall(
            HttpClient client,
            LiveRoute route,
            Request clientRequest,
            Response clientResponse,
            Callback callback,
            Upstreams.Permit routePermit,
            String pathQuery,
            org.eclipse.jetty.client.Request.@Nullable Content body,
            AtomicBoolean clientFailed) {
        this.client = client;
        this.route = route;
        this.clientRequest = clientRequest;
        this.clientResponse = clientResponse;
        this.callback = callback;
        this.routePermit = routePermit;
        this.pathQuery = pathQuery;
        this.body = body;
        this.clientFailed = clientFailed;
    }

    /** Sends the first attempt; with no healthy upstream, answers 503. */
    void start() {
        Upstreams.Choice choice = route.upstreams().choose(tried, pin());
        if (choice == null) {
            Problems.note(clientRequest, "upstream", "reject", "no healthy upstream on " + route.name());
            routePermit.release();
            Problems.undelivered(clientRequest, IdempotencyPolicy.Undelivered.NOT_SENT);
            Problems.write(
                    clientResponse,
                    end(),
                    503,
                    "No healthy upstream for this route.",
                    route.upstreams().ejectionRetryAfterSeconds());
            return;
        }
        send(choice);
    }

    /** The request's pinning value (the route's pin header or cookie), or null. */
    private @Nullable String pin() {
        return pin(route, clientRequest);
    }

    /** {@code clientRequest}'s value of the route's pin header or cookie, or null. */
    static @Nullable String pin(LiveRoute route, Request clientRequest) {
        GatewayRoute.Pin pin = route.config().pin();
        if (pin == null) {
            return null;
        }
        if (pin.header() != null) {
            return clientRequest.getHeaders().get(pin.header());
        }
        for (HttpCookie cookie : Request.getCookies(clientRequest)) {
            if (cookie.getName().equals(pin.cookie())) {
                return cookie.getValue();
            }
        }
        return null;
    }

    private void send(Upstreams.Choice choice) {
        attempt = choice;
        tried.add(choice.upstream());
        try {
            long timeout = route.config().timeout().toMillis();
            // The route's timeout bounds each silence, the wait for the response head included: an event stream or a
            // long download that keeps coming is never cut (nginx's proxy_read_timeout), one that stalls is. Jetty's
            // connection idle timeout does it at no cost per request (a timer per request would be one more task).
            org.eclipse.jetty.client.Request upstreamRequest = client.newRequest(choice.upstream().base + pathQuery)
                    .method(clientRequest.getMethod())
                    .idleTimeout(timeout, TimeUnit.MILLISECONDS)
                    .attribute(ATTRIBUTE, this)
                    .headers(fields -> {
                        ForwardingHeaders.write(clientRequest, fields);
                        fields.put(choice.upstream().hostField);
                    });
            if (body != null) {
                upstreamRequest.body(body);
            }
            upstreamRequest.send(this);
        } catch (RuntimeException e) {
            // Nothing was sent: the permits go back and the client gets a 502.
            Problems.note(clientRequest, "upstream", "fail", choice.upstream() + " not sent: " + describe(e));
            Problems.undelivered(clientRequest, IdempotencyPolicy.Undelivered.NOT_SENT);
            Callback done = end();
            afterHints(() -> {
                clientResponse.reset();
                Problems.write(clientResponse, done, 502, detail(502), null);
            });
        }
    }

    /**
     * Relays an upstream's {@code 103 Early Hints} (RFC 8297; a proxy forwards the 1xx responses it did not ask for,
     * RFC 9110 §15.2) to a client on HTTP/1.1 or later, without hop-by-hop fields: one at a time, before the
     * response begins. Called by the upstream client's 103 handler.
     */
    void earlyHints(HttpFields upstreamHints) {
        CompletableFuture<Void> pending = hints;
        if ((pending != null && !pending.isDone())
                || clientResponse.isCommitted()
                || clientRequest.getConnectionMetaData().getHttpVersion().getVersion()
                        < HttpVersion.HTTP_1_1.getVersion()) {
            return;
        }
        Set<String> named = connectionNamed(upstreamHints);
        HttpFields.Mutable relayed = HttpFields.build();
        for (HttpField field : upstreamHints) {
            if (!ForwardingHeaders.isHopByHopResponseField(field)
                    && (named == null || !named.contains(field.getName()))) {
                relayed.add(field);
            }
        }
        // Whether it went out or not, the final response follows it; a failure here is the client's going away,
        // which the response's own writes find.
        hints = clientResponse.writeInterim(HttpStatus.EARLY_HINTS_103, relayed);
    }

    /** Writes on the client's response once the early hints, if any, are out: an interim write must end first. */
    private void write(boolean last, ByteBuffer content, Callback callback) {
        CompletableFuture<Void> pending = hints;
        if (pending == null) {
            clientResponse.write(last, content, callback);
        } else {
            pending.whenComplete((ignored, failure) -> clientResponse.write(last, content, callback));
        }
    }

    /** Runs {@code answer} once the early hints, if any, are out. */
    private void afterHints(Runnable answer) {
        CompletableFuture<Void> pending = hints;
        if (pending == null) {
            answer.run();
        } else {
            pending.whenComplete((ignored, failure) -> answer.run());
        }
    }

    @Override
    public void onBegin(org.eclipse.jetty.client.Response upstreamResponse) {
        begun = true; // interim responses never come here: the client's interim handler takes them
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response upstreamResponse) {
        int status = upstreamResponse.getStatus();
        if (status > 599 || status < 200) {
            // RFC 9110 §15: status codes are 100..599, and a final one is 200 or more. A 101 here answers an upgrade
            // the gateway never asked for (it removes Upgrade outside WebSocket routes): relayed, a front proxy that
            // tunnels on 101 would open a raw pipe to the gateway. A broken upstream: 502, counted against it.
            upstreamResponse.abort(new HttpException.RuntimeException(
                    HttpStatus.BAD_GATEWAY_502, "final status " + status + " (expected: 200..599)"));
            return;
        }
        clientResponse.setStatus(status);
        HttpFields upstream = upstreamResponse.getHeaders();
        // A 204 has no body whatever its fields say (RFC 9112 §6.3), and must not declare one (RFC 9110 §8.6).
        boolean noContent = status == HttpStatus.NO_CONTENT_204;
        declaredLength = noContent ? 0 : upstream.getLongField(HttpHeader.CONTENT_LENGTH);
        if (declaredLength < 0) {
            // Jetty takes the supplier when the head goes out, and trailers come only at the end: ask then. Only
            // for a body without a declared length, which is chunked to the client anyway.
            clientResponse.setTrailersSupplier(() -> trailers);
        }
        Set<String> named = connectionNamed(upstream);
        HttpFields.Mutable fields = clientResponse.getHeaders();
        for (int i = 0; i < upstream.size(); i++) {
            HttpField field = upstream.getField(i);
            if (ForwardingHeaders.isHopByHopResponseField(field)
                    || (named != null && named.contains(field.getName()))
                    || (noContent && field.getHeader() == HttpHeader.CONTENT_LENGTH)) {
                continue;
            }
            if (field.getHeader() == HttpHeader.DATE) {
                fields.put(field); // the upstream's, in place of the one Jetty prepared
            } else {
                fields.add(field);
            }
        }
    }

    /** The names the backend's {@code Connection} lists: hop-by-hop too, never relayed. */
    private static @Nullable Set<String> connectionNamed(HttpFields upstream) {
        Set<String> named = null;
        for (String value : upstream.getValuesList(HttpHeader.CONNECTION)) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    named = named == null ? new TreeSet<>(String.CASE_INSENSITIVE_ORDER) : named;
                    named.add(token.trim());
                }
            }
        }
        return named;
    }

    @Override
    public void onContent(org.eclipse.jetty.client.Response upstreamResponse, Content.Chunk chunk, Runnable demander) {
        relayed += chunk.remaining();
        // The piece that completes a declared length is written as the last: the response ends in the same network
        // write (a compressed one with its trailer), and the client has all of it once this is written, so its
        // outcome is recorded first.
        boolean last = declaredLength >= 0 && relayed >= declaredLength;
        if (last) {
            settle(upstreamResponse.getStatus());
            lastWritten = true;
        }
        chunk.retain();
        awaitingClient = true;
        write(
                last,
                chunk.getByteBuffer(),
                Callback.from(
                        () -> {
                            awaitingClient = false;
                            chunk.release();
                            if (last) {
                                lastWrite.succeeded();
                            }
                            demander.run();
                        },
                        failure -> {
                            chunk.release();
                            if (last) {
                                lastWrite.failed(failure);
                            }
                            clientFailed.set(true);
                            upstreamResponse.abort(failure);
                        }));
    }

    @Override
    public void onSuccess(org.eclipse.jetty.client.Response upstreamResponse) {
        if (!lastWritten) {
            relayTrailers(upstreamResponse.getTrailers());
            settle(upstreamResponse.getStatus());
            write(true, BufferUtil.EMPTY_BUFFER, lastWrite);
        }
    }

    /**
     * The upstream's trailer fields (a checksum, gRPC's status) go out after the client's last chunk, but never a
     * field that frames, routes or describes the content: a trailer cannot change what the head said.
     */
    private void relayTrailers(@Nullable HttpFields trailers) {
        if (trailers == null || trailers.size() == 0) {
            return;
        }
        HttpFields.Mutable relayed = HttpFields.build();
        for (HttpField field : trailers) {
            if (ForwardingHeaders.isRelayedTrailer(field)) {
                relayed.add(field);
            }
        }
        if (relayed.size() > 0) {
            this.trailers = relayed;
        }
    }

    /**
     * Records the outcome of a response the upstream delivered whole, before the client can have all of it: a
     * client that sends its next request on the last byte must find the breakers already told (a half-open breaker
     * would otherwise still count its probes as in flight and refuse it). {@link #onComplete} records nothing
     * after this, as permits end once.
     */
    private void settle(int status) {
        if (clientFailed.get()) {
            return;
        }
        Upstreams.Choice choice = attempt;
        if (choice != null) {
            endAttempt(choice.permit(), null, status, false);
        }
        routePermit.ended(status >= 500 ? new Upstreams.FailedStatus(status) : null);
    }

    @Override
    public void onComplete(Result result) {
        Upstreams.Choice choice = attempt;
        Throwable failure = result.getFailure();
        int status = result.getResponse() == null ? 0 : result.getResponse().getStatus();
        // Only the client's side says so: a broken upstream response also fails as a 4xx parse error, the upstream's.
        // A timeout while a write to the client was pending is the client's too: the upstream was waiting on it.
        // So is one while the upstream waited for more of a streamed body the client was pausing on (408).
        boolean slowBody = failure instanceof TimeoutException
                && body instanceof UpstreamBody streamed
                && streamed.waitingForClient();
        boolean clientFault = failure != null
                && (clientFailed.get() || (failure instanceof TimeoutException && awaitingClient) || slowBody);
        if (choice != null && failure != null && !clientFault && mayHaveMetAClosingConnection(failure, choice)) {
            // The upstream may have closed a pooled connection as the request went out on it (its keep-alive
            // timeout racing this request): one more try on the same upstream, on another connection, and this
            // attempt counts against nothing (nginx gives a cached connection's failure an extra try too).
            Upstreams.Choice again = route.upstreams().again(choice.upstream());
            if (again != null) {
                choice.permit().release();
                staleRetried = true;
                Problems.note(clientRequest, "upstream", "retry", choice.upstream() + " " + describe(failure));
                send(again);
                return;
            }
        }
        if (choice != null) {
            endAttempt(choice.permit(), failure, status, clientFault);
        }
        if (failure != null && !clientFault && retryable(failure)) {
            Upstreams.Choice next = route.upstreams().choose(tried, pin());
            if (next != null) {
                Problems.note(clientRequest, "upstream", "retry", choice.upstream() + " " + describe(failure));
                send(next);
                return;
            }
        }
        if (failure == null) {
            if (tried.size() > 1) {
                Problems.note(
                        clientRequest, "upstream", "ok", choice.upstream() + " after " + (tried.size() - 1) + " retry");
            }
            // Already recorded by settle(), unless the client's side failed; permits end once.
            routePermit.ended(status >= 500 ? new Upstreams.FailedStatus(status) : null);
            Callback done = end();
            lastWrite.whenComplete((ignored, writeFailure) -> {
                if (writeFailure == null) {
                    done.succeeded();
                } else {
                    done.failed(writeFailure);
                }
            });
            return;
        }
        if (clientFault) {
            routePermit.release();
        } else {
            routePermit.ended(failure);
            Problems.note(
                    clientRequest,
                    "upstream",
                    "fail",
                    choice.upstream() + " " + describe(failure) + ", " + tried.size()
                            + (tried.size() == 1 ? " attempt" : " attempts"));
        }
        Problems.undelivered(
                clientRequest,
                (clientFault && !begun) || neverConnected(failure)
                        ? IdempotencyPolicy.Undelivered.NOT_SENT
                        : IdempotencyPolicy.Undelivered.NO_ANSWER);
        Callback done = end();
        if (clientResponse.isCommitted()) {
            if (!clientFault) {
                clientRequest.setAttribute(FAILED_STATUS, failure instanceof TimeoutException ? 504 : 502);
            }
            done.failed(failure);
            return;
        }
        Integer clientStatus = clientFault(failure);
        int answer = slowBody
                ? 408
                : clientFault
                        ? clientStatus == null ? 400 : clientStatus
                        : failure instanceof TimeoutException ? 504 : 502;
        if (answer == 413) {
            Problems.note(
                    clientRequest,
                    "body-limit",
                    "reject",
                    "body over " + route.config().maxBodyBytes());
        }
        boolean closeAfter = !clientFault || slowBody;
        afterHints(() -> {
            clientResponse.reset();
            if (closeAfter) {
                Problems.closeAfter(clientRequest, clientResponse);
            }
            Problems.write(clientResponse, done, answer, detail(answer), null);
        });
    }

    /** Whether {@code failure} means no connection was made: the request never left. */
    private static boolean neverConnected(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private void endAttempt(Upstreams.Permit permit, @Nullable Throwable failure, int status, boolean clientFault) {
        if (clientFault) {
            permit.release();
        } else if (failure != null) {
            permit.failed(failure);
        } else if (status >= 500) {
            permit.failed(new Upstreams.FailedStatus(status));
        } else {
            permit.succeeded();
        }
    }

    /**
     * Whether {@code failure} could be a pooled connection that the upstream closed just as the request went out on
     * it, for a request that may safely go again: idempotent, without a body, before any response, not a timeout
     * nor a refused connection; once per call.
     */
    private boolean mayHaveMetAClosingConnection(Throwable failure, Upstreams.Choice choice) {
        return !staleRetried
                // A pooled connection closed under the request fails at once; one that failed after a while had the
                // request, and the upstream may have acted on it.
                && choice.permit().elapsed().compareTo(STALE_CONNECTION_WINDOW) < 0
                && !begun
                && body == null
                && !(failure instanceof TimeoutException)
                && !neverConnected(failure)
                && IDEMPOTENT.contains(clientRequest.getMethod());
    }

    private boolean retryable(Throwable failure) {
        return !begun
                && !(failure instanceof TimeoutException)
                && tried.size() <= route.config().retries()
                && body == null
                && IDEMPOTENT.contains(clientRequest.getMethod());
    }

    /**
     * Jetty's callback, which every way through this call completes once the exchange has ended: it first releases
     * whatever permit is still held, so that none outlives the exchange, whichever way that went.
     */
    private Callback end() {
        return Callback.from(this::releaseAll, callback);
    }

    private void releaseAll() {
        Upstreams.Choice choice = attempt;
        if (choice != null) {
            choice.permit().release();
        }
        routePermit.release();
    }

    /** The 4xx status of a failure the client caused (bad chunking, early end of its body, the body limit). */
    static @Nullable Integer clientFault(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http.getCode();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    static String describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return "connection refused";
            }
            if (cause instanceof TimeoutException) {
                return "timed out";
            }
            if (cause instanceof HttpException http) {
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

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "The request body is malformed.";
            case 413 -> "The request body is too large.";
            case 502 -> "The upstream could not be reached or sent an invalid response.";
            case 504 -> "The upstream did not answer in time.";
            case 408 -> "The request body did not arrive in time.";
            default -> "The request could not be proxied.";
        };
    }
}
