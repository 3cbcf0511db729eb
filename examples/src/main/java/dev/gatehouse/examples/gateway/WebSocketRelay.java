package dev.gatehouse.examples.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.UpgradeListener;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.eclipse.jetty.websocket.core.exception.UpgradeException;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket handshake on a route that relays WebSockets, once the route's policies have let it through: a
 * malformed handshake gets 400; otherwise the gateway opens a WebSocket to one of the route's upstreams with the
 * request's fields (forwarding fields written anew, the offered subprotocols passed on, no extensions) and only once
 * the upstream has accepted does the client get its 101, with the subprotocol the upstream chose and the other
 * end-to-end fields of the upstream's 101. An upstream that
 * refuses gives the client its own status (a 4xx or 5xx; anything else is 502); one that cannot be reached is 502,
 * one too slow to answer within the route's timeout 504. Then a {@link WebSocketTunnel} relays the frames.
 */
final class WebSocketRelay {
    private final WebSocketCoreClient upstreamClient;
    private final WebSocketComponents components;
    private final Handshaker handshaker = Handshaker.newInstance();
    private final Set<WebSocketTunnel> open = ConcurrentHashMap.newKeySet();

    WebSocketRelay(Server server, HttpClient client) {
        this.components = WebSocketServerComponents.ensureWebSocketComponents(server);
        this.upstreamClient = new WebSocketCoreClient(client, components);
        server.addBean(upstreamClient);
    }

    /** Relays {@code clientRequest}, a WebSocket upgrade, to one of the route's upstreams; ends {@code routePermit}. */
    void relay(
            LiveRoute route,
            Request clientRequest,
            Response clientResponse,
            Callback callback,
            Upstreams.Permit routePermit,
            String pathQuery) {
        String malformed = malformed(clientRequest);
        if (malformed != null) {
            routePermit.release();
            Problems.note(clientRequest, "websocket", "reject", malformed);
            Problems.write(
                    clientResponse, callback, 400, "The WebSocket handshake is malformed: " + malformed + ".", null);
            return;
        }
        Upstreams.Choice choice = route.upstreams().choose(Set.of(), UpstreamCall.pin(route, clientRequest));
        if (choice == null) {
            routePermit.release();
            Problems.note(clientRequest, "upstream", "reject", "no healthy upstream on " + route.name());
            Problems.write(
                    clientResponse,
                    callback,
                    503,
                    "No healthy upstream for this route.",
                    route.upstreams().ejectionRetryAfterSeconds());
            return;
        }
        GatewayRoute.WebSocket limits = route.config().websocket();
        WebSocketTunnel tunnel =
                new WebSocketTunnel(clientRequest.getComponents().getScheduler(), limits, open::remove);
        AtomicReference<HttpFields> upstreamFields = new AtomicReference<>(HttpFields.EMPTY);
        CoreClientUpgradeRequest upgrade = upgradeRequest(route, clientRequest, choice, pathQuery, tunnel);
        upgrade.addListener(new UpgradeListener() {
            @Override
            public void onHandshakeResponse(
                    org.eclipse.jetty.client.Request request, org.eclipse.jetty.client.Response response) {
                upstreamFields.set(response.getHeaders());
            }
        });
        try {
            upstreamClient.connect(upgrade).whenComplete((upstreamSession, failure) -> {
                if (failure != null) {
                    refused(route, clientRequest, clientResponse, callback, choice, routePermit, failure);
                } else {
                    choice.permit().succeeded();
                    routePermit.succeeded();
                    Handshake upstream = new Handshake(upstreamSession, upstreamFields.get());
                    accept(clientRequest, clientResponse, callback, tunnel, upstream, limits);
                }
            });
        } catch (java.io.IOException | RuntimeException e) {
            refused(route, clientRequest, clientResponse, callback, choice, routePermit, e);
        }
    }

    /** The upstream's handshake: the client's fields and subprotocols, the route's timeout and idle limit. */
    private CoreClientUpgradeRequest upgradeRequest(
            LiveRoute route, Request clientRequest, Upstreams.Choice choice, String pathQuery, WebSocketTunnel tunnel) {
        CoreClientUpgradeRequest upgrade = CoreClientUpgradeRequest.from(
                upstreamClient, URI.create("ws" + choice.upstream().base.substring(4) + pathQuery), tunnel.upstream);
        upgrade.timeout(route.config().timeout().toMillis(), TimeUnit.MILLISECONDS);
        upgrade.headers(fields -> forwarded(clientRequest, fields));
        upgrade.setSubProtocols(clientRequest.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, true));
        // A second longer than the client's side: traffic crosses both alike, so the client's side always goes idle
        // first, and its close reaches the upstream through the tunnel instead of racing the upstream side's own.
        Configuration.ConfigurationCustomizer idle = new Configuration.ConfigurationCustomizer();
        idle.setIdleTimeout(route.config().websocket().idleTimeout().plusSeconds(1));
        upgrade.setConfiguration(idle);
        return upgrade;
    }

    /** What the upstream accepted with: its session and the fields of its 101. */
    private record Handshake(CoreSession session, HttpFields fields) {}

    /** Why {@code request} is no WebSocket handshake (RFC 6455 §4.2.1), or null when it is one. */
    static @Nullable String malformed(Request request) {
        HttpFields fields = request.getHeaders();
        if (!"GET".equals(request.getMethod())) {
            return "method " + request.getMethod() + " (expected: GET)";
        }
        if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_1_1) {
            return "version " + request.getConnectionMetaData().getHttpVersion() + " (expected: HTTP/1.1)";
        }
        if (!fields.contains(HttpHeader.CONNECTION, "upgrade")) {
            return "no Connection: Upgrade";
        }
        if (!"13".equals(fields.get(HttpHeader.SEC_WEBSOCKET_VERSION))) {
            return "Sec-WebSocket-Version " + fields.get(HttpHeader.SEC_WEBSOCKET_VERSION) + " (expected: 13)";
        }
        List<String> keys = fields.getValuesList(HttpHeader.SEC_WEBSOCKET_KEY);
        if (keys.size() != 1 || !isKey(keys.get(0))) {
            return "Sec-WebSocket-Key " + (keys.isEmpty() ? "missing" : "invalid") + " (expected: 16 bytes in base64)";
        }
        List<String> protocols = fields.getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, true);
        if (protocols.size() > MAX_SUBPROTOCOLS) {
            // Each goes upstream on a line of its own: a thousand would overflow the upstream request, a failure
            // that must not be charged to the upstream (it got the route ejected).
            return protocols.size() + " subprotocols (expected: at most " + MAX_SUBPROTOCOLS + ")";
        }
        for (String protocol : protocols) {
            if (!isToken(protocol)) {
                return "a subprotocol that is not a token (RFC 6455 §4.1)";
            }
        }
        return null;
    }

    /** The most subprotocols a client may offer; browsers' and libraries' lists are a handful. */
    static final int MAX_SUBPROTOCOLS = 32;

    /** RFC 9110 §5.6.2: {@code 1*tchar}. */
    private static boolean isToken(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    private static boolean isKey(String key) {
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The client's fields for the upstream's handshake: forwarded as for any request, minus the client's own. */
    private static void forwarded(Request clientRequest, HttpFields.Mutable fields) {
        ForwardingHeaders.write(clientRequest, fields);
        fields.remove(HttpHeader.SEC_WEBSOCKET_KEY);
        fields.remove(HttpHeader.SEC_WEBSOCKET_VERSION);
        fields.remove(HttpHeader.SEC_WEBSOCKET_EXTENSIONS);
        fields.remove(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL);
        fields.remove(HttpHeader.SEC_WEBSOCKET_ACCEPT);
    }

    /** The upstream accepted: the client gets its 101 and the tunnel starts. */
    private void accept(
            Request clientRequest,
            Response clientResponse,
            Callback callback,
            WebSocketTunnel tunnel,
            Handshake upstream,
            GatewayRoute.WebSocket limits) {
        WebSocketNegotiator.AbstractNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
            @Override
            public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback cb) {
                relayed(upstream.fields(), response.getHeaders());
                response.setAcceptedSubProtocol(upstream.session().getNegotiatedSubProtocol());
                response.setExtensions(List.of());
                return tunnel.client;
            }
        };
        negotiator.setIdleTimeout(limits.idleTimeout());
        boolean upgraded;
        try {
            open.add(tunnel);
            upgraded = handshaker.upgradeRequest(negotiator, clientRequest, clientResponse, callback, components, null);
        } catch (RuntimeException e) {
            upgraded = false;
        }
        if (!upgraded) {
            open.remove(tunnel);
            upstream.session().close(CloseStatus.SHUTDOWN, "the client's handshake failed", Callback.NOOP);
            Problems.note(clientRequest, "websocket", "reject", "handshake not accepted");
            Problems.write(clientResponse, callback, 400, "The WebSocket handshake is malformed.", null);
        }
    }

    /**
     * The fields of the upstream's 101 that the client's 101 carries (a cookie, say): not the hop-by-hop ones, its
     * {@code Server}, {@code Date} or length, nor the {@code Sec-WebSocket-*} ones, which the gateway's own
     * handshake with the client decides.
     */
    private static void relayed(HttpFields upstream, HttpFields.Mutable client) {
        for (HttpField field : upstream) {
            HttpHeader header = field.getHeader();
            if (ForwardingHeaders.isHopByHopResponseField(field)
                    || header == HttpHeader.DATE
                    || header == HttpHeader.CONTENT_LENGTH
                    || field.getLowerCaseName().startsWith("sec-websocket-")) {
                continue;
            }
            client.add(field);
        }
    }

    /** The upstream did not accept: its own refusal, or 502 / 504. */
    private static void refused(
            LiveRoute route,
            Request clientRequest,
            Response clientResponse,
            Callback callback,
            Upstreams.Choice choice,
            Upstreams.Permit routePermit,
            Throwable failure) {
        int status = 502;
        boolean unreadable = false;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // An answer that is not HTTP fails to parse with a status of Jetty's own (505 for a bad version line):
            // the upstream said nothing the client should hear.
            unreadable |= cause instanceof org.eclipse.jetty.http.HttpException;
        }
        for (Throwable cause = failure; cause != null && !unreadable; cause = cause.getCause()) {
            if (cause instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() >= 400) {
                status = upgrade.getResponseStatusCode();
                break;
            }
            if (cause instanceof TimeoutException) {
                status = 504;
                break;
            }
        }
        boolean upstreamAnswered = status != 502 && status != 504;
        if (upstreamAnswered && status < 500) {
            choice.permit().succeeded();
            routePermit.succeeded();
        } else {
            Throwable outcome = upstreamAnswered ? new Upstreams.FailedStatus(status) : failure;
            choice.permit().failed(outcome);
            routePermit.failed(outcome);
        }
        Problems.note(
                clientRequest,
                "websocket",
                "fail",
                choice.upstream()
                        + (upstreamAnswered
                                ? " refused the upgrade with " + status
                                : " " + UpstreamCall.describe(failure)));
        String detail = switch (status) {
            case 502 -> "The upstream could not be reached or did not accept the WebSocket upgrade.";
            case 504 -> "The upstream did not answer the WebSocket handshake in time.";
            default -> "The upstream refused the WebSocket upgrade.";
        };
        Problems.write(clientResponse, callback, status, detail, null);
    }

    /**
     * Closes every relayed WebSocket on both sides with 1001 and waits up to {@code wait} for the closes to be
     * answered: the gateway is stopping, and its upstream client stops with it.
     */
    void closeAll(Duration wait) throws InterruptedException {
        for (WebSocketTunnel tunnel : open) {
            tunnel.end(CloseStatus.SHUTDOWN, "the gateway is stopping");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
