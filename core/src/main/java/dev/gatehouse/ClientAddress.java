package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one resolver of the client's address, for every feature that needs it (rate-limit keys, logs,
 * forwarding headers).
 *
 * <p>When the connection's peer is not a trusted proxy, the peer is the client, whatever forwarding headers
 * say: an untrusted client cannot choose its address, so it cannot choose its bucket. When the peer is
 * trusted, {@code X-Forwarded-For} (or, when configured, {@code Forwarded}) is read from the right, skipping
 * trusted proxies; the first untrusted hop is the client. A malformed hop ends the walk at the last
 * trusted address seen. Address literals are parsed without DNS.
 */
public final class ClientAddress {
    public static final AttributeKey<String> KEY = AttributeKey.of("gatehouse.clientAddress", String.class);

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final ClientAddress DIRECT = new ClientAddress(List.of(), false);

    private final List<Cidr> trusted;
    private final boolean forwardedHeader;

    private record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private ClientAddress(List<Cidr> trusted, boolean forwardedHeader) {
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

    private String walk(Exchange exchange) {
        String peer = exchange.peerAddress();
        byte[] peerBytes = literal(peer);
        if (trusted.isEmpty() || peerBytes == null || !isTrusted(peerBytes)) {
            return peer;
        }
        List<String> hops = forwardedHeader ? forwardedFor(exchange) : forwardedForList(exchange);
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] hop = literal(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = normalize(hops.get(i));
            if (!isTrusted(hop)) {
                return client;
            }
        }
        return client;
    }

    private boolean isTrusted(byte[] address) {
        for (Cidr cidr : trusted) {
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
                hops.add(hop.trim());
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

    /** The bytes of an IPv4 or IPv6 literal, or null; never a DNS lookup. */
    static byte[] literal(String text) {
        String address = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = IPV4.matcher(address).matches();
        boolean v6 = !v4 && address.indexOf(':') >= 0 && IPV6.matcher(address).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static List<Cidr> parseAll(String... networks) {
        List<Cidr> parsed = new ArrayList<>();
        for (String network : networks) {
            int slash = network.indexOf('/');
            String address = slash < 0 ? network : network.substring(0, slash);
            byte[] bytes = literal(address);
            checkArgument(bytes != null, "network: %s (expected: an IP address or CIDR)", network);
            int prefix = slash < 0 ? bytes.length * 8 : parsePrefix(network, network.substring(slash + 1));
            checkArgument(
                    prefix >= 0 && prefix <= bytes.length * 8,
                    "network: %s (expected: a prefix of 0..%s)",
                    network,
                    bytes.length * 8);
            parsed.add(new Cidr(bytes, prefix));
        }
        return parsed;
    }

    private static int parsePrefix(String network, String prefix) {
        try {
            return Integer.parseInt(prefix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("network: " + network + " (expected: a numeric prefix)", e);
        }
    }
}
