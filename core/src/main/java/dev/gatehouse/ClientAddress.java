package dev.gatehouse;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one resolver of the client's address, for every feature that needs it (rate-limit keys, logs,
 * forwarding headers).
 *
 * <p>When the connection's peer is not a trusted proxy, the peer is the client, whatever forwarding headers
 * say: an untrusted client cannot choose its address, so it cannot choose its bucket. When the peer is
 * trusted, {@code X-Forwarded-For} (or, when configured, {@code Forwarded}) is read from the right, skipping
 * trusted proxies; the first untrusted hop is the client. A malformed hop ends the walk at the last
 * trusted address seen. Address literals are parsed without DNS.
 *
 * <p>It also resolves the {@linkplain #scheme scheme} the client used, for a TLS-terminating proxy in front: only
 * a trusted peer's {@code X-Forwarded-Proto} (or {@code Forwarded: proto=}) counts.
 */
public final class ClientAddress {
    /**
     * The client a trusted proxy named without a readable address ({@code unknown}, an obfuscated {@code _id}):
     * counted as one client, and never in an IP allow list.
     */
    public static final String UNKNOWN = "unknown";

    public static final AttributeKey<String> KEY = AttributeKey.of("gatehouse.clientAddress", String.class);
    /** The scheme the client used, {@code http} or {@code https}, once {@link #scheme} resolved it. */
    public static final AttributeKey<String> SCHEME = AttributeKey.of("gatehouse.clientScheme", String.class);

    private static final ClientAddress DIRECT = new ClientAddress(List.of(), false);

    private final List<IpNetwork> trusted;
    private final boolean forwardedHeader;

    private ClientAddress(List<IpNetwork> trusted, boolean forwardedHeader) {
        this.trusted = List.copyOf(trusted);
        this.forwardedHeader = forwardedHeader;
    }

    /** No proxy is trusted: the peer is the client. */
    public static ClientAddress direct() {
        return DIRECT;
    }

    /** Trusts proxies in these networks ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code 2001:db8::/32}) and reads {@code X-Forwarded-For}. */
    public static ClientAddress trusting(String... networks) {
        return new ClientAddress(parseAll(networks), false);
    }

    /** As {@link #trusting}, reading RFC 7239 {@code Forwarded: for=...} instead of {@code X-Forwarded-For}. */
    public static ClientAddress trustingForwarded(String... networks) {
        return new ClientAddress(parseAll(networks), true);
    }

    /** The client's address (recorded on the exchange, so it is resolved once). */
    public String resolve(Exchange exchange) {
        Optional<String> known = exchange.attribute(KEY);
        if (known.isPresent()) {
            return known.get();
        }
        String client = walk(exchange);
        exchange.setAttribute(KEY, client);
        return client;
    }

    /**
     * The scheme the client used (recorded on the exchange, so it is resolved once): when the peer is a trusted
     * proxy that says {@code http} or {@code https} in its {@code X-Forwarded-Proto} (or, when configured, the last
     * {@code Forwarded} element's {@code proto}), that; otherwise the scheme this host received.
     */
    public String scheme(Exchange exchange) {
        Optional<String> known = exchange.attribute(SCHEME);
        if (known.isPresent()) {
            return known.get();
        }
        String scheme = exchange.scheme();
        if (!trusted.isEmpty()) {
            byte[] peer = literal(exchange.peerAddress());
            if (peer != null && isTrusted(peer)) {
                String forwarded =
                        forwardedHeader ? forwardedProto(exchange) : lastValue(exchange, "X-Forwarded-Proto");
                if (forwarded.equalsIgnoreCase("https") || forwarded.equalsIgnoreCase("http")) {
                    scheme = forwarded.toLowerCase(Locale.ROOT);
                }
            }
        }
        exchange.setAttribute(SCHEME, scheme);
        return scheme;
    }

    /** The last comma-separated value of the last {@code name} field: what the nearest proxy said. */
    private static String lastValue(Exchange exchange, String name) {
        List<String> fields = exchange.requestHeaders().all(name);
        if (fields.isEmpty()) {
            return "";
        }
        String last = fields.get(fields.size() - 1);
        return last.substring(last.lastIndexOf(',') + 1).trim();
    }

    private static String forwardedProto(Exchange exchange) {
        String element = lastValue(exchange, "Forwarded");
        for (String pair : element.split(";")) {
            String trimmed = pair.trim();
            if (trimmed.toLowerCase(Locale.ROOT).startsWith("proto=")) {
                String value = trimmed.substring(6).trim();
                return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1)
                        : value;
            }
        }
        return "";
    }

    private String walk(Exchange exchange) {
        String peer = exchange.peerAddress();
        if (trusted.isEmpty()) {
            return peer;
        }
        byte[] peerBytes = literal(peer);
        if (peerBytes == null || !isTrusted(peerBytes)) {
            return peer;
        }
        List<String> hops = forwardedHeader ? forwardedFor(exchange) : forwardedForList(exchange);
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String address = hops.get(i);
            byte[] hop = literal(address);
            if (hop == null) {
                // A trusted proxy named its client with no address we can read ("unknown", an obfuscated id, a
                // host name): the client is unknown. Never the proxy itself, which an allow list may well name.
                return UNKNOWN;
            }
            client = normalize(address);
            if (!isTrusted(hop)) {
                return client;
            }
        }
        return client;
    }

    private boolean isTrusted(byte[] address) {
        for (IpNetwork cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> forwardedForList(Exchange exchange) {
        List<String> hops = new ArrayList<>();
        for (String field : exchange.requestHeaders().all("X-Forwarded-For")) {
            for (String hop : field.split(",")) {
                // Some proxies add the port: 192.0.2.1:5678, [2001:db8::1]:443.
                hops.add(unquoteNode(hop.trim()));
            }
        }
        return hops;
    }

    private static List<String> forwardedFor(Exchange exchange) {
        List<String> hops = new ArrayList<>();
        for (String field : exchange.requestHeaders().all("Forwarded")) {
            for (String element : field.split(",")) {
                String forValue = "";
                for (String pair : element.split(";")) {
                    String trimmed = pair.trim();
                    if (trimmed.toLowerCase(Locale.ROOT).startsWith("for=")) {
                        forValue = unquoteNode(trimmed.substring(4).trim());
                    }
                }
                hops.add(forValue);
            }
        }
        return hops;
    }

    /** {@code "[2001:db8::1]:4711"} → {@code 2001:db8::1}; {@code 192.0.2.1:80} → {@code 192.0.2.1}. */
    private static String unquoteNode(String node) {
        String value = node.startsWith("\"") && node.endsWith("\"") && node.length() >= 2
                ? node.substring(1, node.length() - 1)
                : node;
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end > 0 ? value.substring(1, end) : "";
        }
        int colon = value.indexOf(':');
        return colon > 0 && value.indexOf(':', colon + 1) < 0 ? value.substring(0, colon) : value;
    }

    private static String normalize(String address) {
        byte[] bytes = literal(address);
        try {
            return bytes == null ? address : InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static byte[] literal(String text) {
        return IpNetwork.literal(text);
    }

    private static List<IpNetwork> parseAll(String... networks) {
        return Arrays.stream(networks).map(IpNetwork::parse).toList();
    }

    @Override
    public String toString() {
        return trusted.isEmpty()
                ? "ClientAddress[direct]"
                : "ClientAddress[trusting " + trusted + (forwardedHeader ? ", Forwarded" : "") + "]";
    }
}
