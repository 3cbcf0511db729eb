package dev.gatehouse.examples.gateway;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The client's request without its hop-by-hop fields (RFC 9110 §7.6.1): {@code Connection}, every field it names,
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Upgrade} and {@code
 * HTTP2-Settings}; and {@code Proxy-Authorization}, credentials for a proxy (RFC 9110 §11.7.2) that the gateway
 * asks for none of: a service must never see them. The gateway removes them before any policy runs, so a client's {@code Connection: close,
 * X-User-Id} can never remove a header that a policy sets later. The framing fields ({@code Content-Length}, {@code
 * Transfer-Encoding}, {@code Host}) stay whatever {@code Connection} says: Jetty has framed the body by them. On a
 * WebSocket route, a WebSocket upgrade keeps {@code Upgrade: websocket} and {@code Connection: Upgrade} (and nothing
 * else {@code Connection} names), for the handshake ({@link #keepingWebSocketUpgrade}). The fields a {@link
 * ClientHeaderFilter} removes go here too, before any policy runs.
 */
final class HopByHopRequest extends Request.Wrapper {
    private static final Set<HttpHeader> HOP_BY_HOP = Set.of(
            HttpHeader.CONNECTION,
            HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_CONNECTION,
            HttpHeader.TE,
            HttpHeader.TRAILER,
            HttpHeader.UPGRADE,
            HttpHeader.HTTP2_SETTINGS,
            HttpHeader.PROXY_AUTHORIZATION);
    private static final Set<HttpHeader> FRAMING =
            Set.of(HttpHeader.CONTENT_LENGTH, HttpHeader.TRANSFER_ENCODING, HttpHeader.HOST);

    private final HttpFields fields;

    private HopByHopRequest(Request request, HttpFields fields) {
        super(request);
        this.fields = fields;
    }

    /**
     * {@code request} without its hop-by-hop fields and the fields {@code filter} removes; {@code request} itself
     * when it has none of them.
     */
    static Request of(Request request, ClientHeaderFilter filter) {
        return of(request, false, filter);
    }

    /** Whether {@code request} asks for a WebSocket: its {@code Upgrade} names {@code websocket}. */
    static boolean isWebSocketUpgrade(Request request) {
        for (String protocol : request.getHeaders().getCSV(HttpHeader.UPGRADE, false)) {
            if (protocol.equalsIgnoreCase("websocket")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code request} without its hop-by-hop fields but {@code Upgrade} and, when {@code Connection} names {@code
     * upgrade}, {@code Connection: Upgrade}: a WebSocket handshake on a route that relays WebSockets.
     */
    static Request keepingWebSocketUpgrade(Request request, ClientHeaderFilter filter) {
        return of(request, true, filter);
    }

    private static Request of(Request request, boolean webSocket, ClientHeaderFilter filter) {
        HttpFields client = request.getHeaders();
        Set<String> named = null;
        boolean any = false;
        for (int i = 0; i < client.size(); i++) {
            HttpField field = client.getField(i);
            HttpHeader header = field.getHeader();
            if (header != null && HOP_BY_HOP.contains(header)) {
                any = true;
                if (header == HttpHeader.CONNECTION) {
                    named = named == null ? new TreeSet<>(String.CASE_INSENSITIVE_ORDER) : named;
                    for (String token : field.getValues()) {
                        String name = token.trim();
                        if (!name.isEmpty()) {
                            named.add(name.toLowerCase(Locale.ROOT));
                        }
                    }
                }
            } else if (filter.removes(field)) {
                any = true;
            }
        }
        if (!any) {
            return request;
        }
        HttpFields.Mutable kept = HttpFields.build(client.size());
        for (int i = 0; i < client.size(); i++) {
            HttpField field = client.getField(i);
            HttpHeader header = field.getHeader();
            boolean framing = header != null && FRAMING.contains(header);
            if (webSocket && header == HttpHeader.UPGRADE) {
                kept.add(field);
                continue;
            }
            if ((header != null && HOP_BY_HOP.contains(header))
                    || (!framing && named != null && named.contains(field.getName()))
                    || filter.removes(field)) {
                continue;
            }
            kept.add(field);
        }
        if (webSocket && named != null && named.contains("upgrade")) {
            kept.add(HttpHeader.CONNECTION, "Upgrade");
        }
        return new HopByHopRequest(request, kept.asImmutable());
    }

    @Override
    public HttpFields getHeaders() {
        return fields;
    }
}
