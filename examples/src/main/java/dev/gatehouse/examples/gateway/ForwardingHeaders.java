package dev.gatehouse.examples.gateway;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Exchange;
import dev.gatehouse.jetty.OffloadHandler;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;

/**
 * The upstream request's fields: the client's as the policies left them, without the hop-by-hop and framing fields
 * (the upstream request is framed afresh) and without any forwarding field the client sent; then {@code
 * X-Forwarded-For/Proto/Host}, {@code Forwarded} and {@code Via}, written by the gateway alone from the client
 * address and scheme the policies resolved ({@link ClientAddress#KEY}, {@link ClientAddress#SCHEME}; the peer and
 * this connection's scheme without trusted proxies). Also which
 * upstream response fields never reach the client.
 */
final class ForwardingHeaders {
    private static final String[] FORWARDING = {
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "Forwarded", "Via"
    };
    private static final Set<HttpHeader> NOT_FORWARDED = EnumSet.of(
            HttpHeader.HOST,
            HttpHeader.CONTENT_LENGTH,
            HttpHeader.TRANSFER_ENCODING,
            HttpHeader.EXPECT,
            HttpHeader.CONNECTION,
            HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_CONNECTION,
            HttpHeader.TE,
            HttpHeader.TRAILER,
            HttpHeader.UPGRADE,
            HttpHeader.HTTP2_SETTINGS,
            // the forwarding fields Jetty knows; any other spelling is caught by name (isForwarding)
            HttpHeader.X_FORWARDED_FOR,
            HttpHeader.X_FORWARDED_PROTO,
            HttpHeader.X_FORWARDED_HOST,
            HttpHeader.X_FORWARDED_PORT,
            HttpHeader.FORWARDED,
            HttpHeader.VIA);
    private static final Set<HttpHeader> NOT_RELAYED = EnumSet.of(
            HttpHeader.CONNECTION,
            HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_CONNECTION,
            HttpHeader.TRANSFER_ENCODING,
            HttpHeader.TE,
            HttpHeader.TRAILER,
            HttpHeader.UPGRADE,
            HttpHeader.PROXY_AUTHENTICATE,
            HttpHeader.SERVER);
    /** What a trailer may never carry (RFC 9110 §6.5.1): framing, routing, content description, control data. */
    private static final Set<HttpHeader> NOT_TRAILERS = EnumSet.of(
            HttpHeader.CONTENT_LENGTH,
            HttpHeader.CONTENT_TYPE,
            HttpHeader.CONTENT_ENCODING,
            HttpHeader.CONTENT_RANGE,
            HttpHeader.HOST,
            HttpHeader.AUTHORIZATION,
            HttpHeader.WWW_AUTHENTICATE,
            HttpHeader.SET_COOKIE,
            HttpHeader.CACHE_CONTROL,
            HttpHeader.EXPIRES,
            HttpHeader.DATE,
            HttpHeader.LOCATION,
            HttpHeader.RETRY_AFTER,
            HttpHeader.VARY,
            HttpHeader.AGE);

    private static final String VIA_HOST = "gatehouse";
    private static final HttpField PROTO_HTTP = new HttpField(HttpHeader.X_FORWARDED_PROTO, "http");
    private static final HttpField PROTO_HTTPS = new HttpField(HttpHeader.X_FORWARDED_PROTO, "https");
    private static final Map<HttpVersion, HttpField> VIA = new EnumMap<>(HttpVersion.class);

    static {
        for (HttpVersion version : HttpVersion.values()) {
            VIA.put(version, new HttpField(HttpHeader.VIA, via(version) + " " + VIA_HOST));
        }
    }

    private ForwardingHeaders() {}

    /** Whether a request field of the client's is sent on: not hop-by-hop, framing, {@code Host} or forwarding. */
    static boolean isForwardedClientField(String name) {
        HttpHeader header = HttpHeader.CACHE.get(name);
        return (header == null || !NOT_FORWARDED.contains(header)) && !isForwarding(name);
    }

    /** Whether {@code name} is a forwarding field's, in any letter case; compared in place, nothing lower-cased. */
    private static boolean isForwarding(String name) {
        for (String forwarding : FORWARDING) {
            if (forwarding.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    static void write(Request clientRequest, HttpFields.Mutable upstream) {
        HttpFields client = clientRequest.getHeaders();
        String host = null;
        HttpField cookie = null;
        StringBuilder crumbs = null;
        for (int i = 0; i < client.size(); i++) {
            HttpField field = client.getField(i);
            HttpHeader header = field.getHeader();
            if (header != null ? NOT_FORWARDED.contains(header) : isForwarding(field.getName())) {
                if (header == HttpHeader.HOST && host == null) {
                    host = field.getValue();
                }
                continue;
            }
            if (header == HttpHeader.COOKIE) {
                if (cookie == null) {
                    cookie = field;
                } else {
                    crumbs = (crumbs == null ? new StringBuilder(cookie.getValue()) : crumbs)
                            .append("; ")
                            .append(field.getValue());
                }
                continue;
            }
            upstream.add(field);
        }
        if (cookie != null) {
            // HTTP/2 clients split cookies into crumbs, one field each; HTTP/1.1 allows one Cookie field, and RFC
            // 9113 §8.2.3 has an intermediary join them with "; " (a service reading the first would lose the rest).
            upstream.add(crumbs == null ? cookie : new HttpField(HttpHeader.COOKIE, crumbs.toString()));
        }
        Exchange exchange = OffloadHandler.exchange(clientRequest).orElse(null);
        String address =
                exchange == null ? null : exchange.attribute(ClientAddress.KEY).orElse(null);
        if (address == null) {
            address = Request.getRemoteAddr(clientRequest);
        }
        String proto = exchange == null
                ? null
                : exchange.attribute(ClientAddress.SCHEME).orElse(null);
        if (proto == null) {
            proto = clientRequest.getConnectionMetaData().isSecure() ? "https" : "http";
        }
        if (host == null) {
            host = clientRequest.getHttpURI().getAuthority(); // HTTP/2: :authority, no Host field
        }
        upstream.put(HttpHeader.X_FORWARDED_FOR, address);
        upstream.put(
                proto.equals("http")
                        ? PROTO_HTTP
                        : proto.equals("https") ? PROTO_HTTPS : new HttpField(HttpHeader.X_FORWARDED_PROTO, proto));
        if (host != null) {
            upstream.put(HttpHeader.X_FORWARDED_HOST, host);
        }
        upstream.put(
                HttpHeader.FORWARDED,
                "for=" + node(address) + (host == null ? "" : ";host=\"" + host + "\"") + ";proto=" + proto);
        upstream.put(VIA.get(clientRequest.getConnectionMetaData().getHttpVersion()));
    }

    /** RFC 7239 node: always quoted, IPv6 in brackets. */
    private static String node(String address) {
        return address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : "\"" + address + "\"";
    }

    private static String via(HttpVersion version) {
        return switch (version) {
            case HTTP_1_0 -> "1.0";
            case HTTP_2 -> "2";
            case HTTP_3 -> "3";
            default -> "1.1";
        };
    }

    /** Whether an upstream trailer field goes on to the client. */
    static boolean isRelayedTrailer(HttpField field) {
        HttpHeader header = field.getHeader();
        return header == null || !(NOT_RELAYED.contains(header) || NOT_TRAILERS.contains(header));
    }

    /** Hop-by-hop response fields and the backend's {@code Server}: never relayed to the client. */
    static boolean isHopByHopResponseField(HttpField field) {
        HttpHeader header = field.getHeader();
        return header != null && NOT_RELAYED.contains(header);
    }
}
