package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or one address
 * ({@code 192.0.2.7}). Literals are parsed without DNS. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.7})
 * is the IPv4 address it maps, both as a network ({@code ::ffff:10.0.0.0/104} is {@code 10.0.0.0/8}) and as an
 * address to test, so a dual-stack listener's peers match IPv4 rules.
 */
public final class IpNetwork {
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final byte[] network;
    private final int prefix;
    private final String text;

    private IpNetwork(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses {@code address/prefix} or a bare address (a network of one).
     *
     * @throws IllegalArgumentException when it is neither, or the prefix is out of range
     */
    public static IpNetwork parse(String cidr) {
        requireNonNull(cidr, "network");
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] bytes = literal(address);
        checkArgument(bytes != null, "network: %s (expected: an IP address or CIDR)", cidr);
        boolean mapped = bytes.length == 4 && address.indexOf(':') >= 0;
        int bits = mapped ? 128 : bytes.length * 8;
        int prefix = slash < 0 ? bits : parsePrefix(cidr, cidr.substring(slash + 1));
        checkArgument(prefix >= 0 && prefix <= bits, "network: %s (expected: a prefix of 0..%s)", cidr, bits);
        checkArgument(
                !mapped || prefix >= 96,
                "network: %s (expected: a prefix of 96..128 for an IPv4-mapped network)",
                cidr);
        return new IpNetwork(bytes, mapped ? prefix - 96 : prefix, cidr);
    }

    /** Whether the address literal {@code address} lies in this network; false for anything but a literal. */
    public boolean contains(String address) {
        byte[] bytes = literal(address);
        return bytes != null && contains(bytes);
    }

    /**
     * The first of {@code networks} that holds the address literal {@code address}; empty when none does or it is
     * not a literal. The address is parsed once.
     */
    public static Optional<IpNetwork> firstContaining(List<IpNetwork> networks, String address) {
        byte[] bytes = networks.isEmpty() ? null : literal(address);
        if (bytes != null) {
            for (IpNetwork network : networks) {
                if (network.contains(bytes)) {
                    return Optional.of(network);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the address, as {@link #literal} bytes, lies in this network. */
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

    /**
     * The bytes of an IPv4 or IPv6 literal (brackets allowed), 4 for IPv4 and IPv4-mapped IPv6, else 16; null for
     * anything else. Never a DNS lookup.
     */
    static byte[] literal(String text) {
        String address = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        byte[] v4 = dottedQuad(address);
        if (v4 != null || address.indexOf(':') < 0) {
            return v4;
        }
        byte[] v6 = colonHex(address);
        if (v6 != null) {
            return unmapped(v6);
        }
        if (!IPV6.matcher(address).matches()) {
            return null;
        }
        try {
            // What the hand parser leaves aside; the JDK turns an IPv4-mapped literal into its Inet4Address.
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** The IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else the address itself. */
    private static byte[] unmapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return v6;
            }
        }
        return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff ? Arrays.copyOfRange(v6, 12, 16) : v6;
    }

    /**
     * An IPv6 literal without a zone (RFC 4291 §2.2: eight groups, one {@code ::}, an optional dotted-quad tail),
     * parsed by hand; null for anything else.
     */
    private static byte[] colonHex(String address) {
        int length = address.length();
        byte[] bytes = new byte[16];
        int groups = 0;
        int compressedAt = -1;
        int i = 0;
        if (address.startsWith("::")) {
            compressedAt = 0;
            i = 2;
        } else if (address.startsWith(":")) {
            return null;
        }
        while (i < length) {
            int end = i;
            int value = 0;
            while (end < length && end - i < 5 && hex(address.charAt(end)) >= 0) {
                value = value * 16 + hex(address.charAt(end));
                end++;
            }
            if (end < length && address.charAt(end) == '.') {
                byte[] v4 = groups <= 6 ? dottedQuad(address.substring(i)) : null;
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, bytes, 2 * groups, 4);
                groups += 2;
                break;
            }
            if (end == i || end - i > 4 || groups == 8) {
                return null;
            }
            bytes[2 * groups] = (byte) (value >> 8);
            bytes[2 * groups + 1] = (byte) value;
            groups++;
            i = end;
            if (i < length && (address.charAt(i) != ':' || ++i == length)) {
                return null;
            }
            if (i < length && address.charAt(i) == ':') {
                if (compressedAt >= 0) {
                    return null;
                }
                compressedAt = groups;
                i++;
            }
        }
        if (compressedAt < 0) {
            return groups == 8 ? bytes : null;
        }
        if (groups == 8) {
            return null;
        }
        int tail = groups - compressedAt;
        System.arraycopy(bytes, 2 * compressedAt, bytes, 16 - 2 * tail, 2 * tail);
        Arrays.fill(bytes, 2 * compressedAt, 16 - 2 * tail, (byte) 0);
        return bytes;
    }

    /** The value of an ASCII hex digit, or -1. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** A dotted quad without leading zeros, parsed by hand: the common case, on every request. */
    private static byte[] dottedQuad(String address) {
        int length = address.length();
        if (length < 7 || length > 15) {
            return null;
        }
        byte[] bytes = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= length; i++) {
            char c = i == length ? '.' : address.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return null;
                }
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 4) {
                bytes[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        return part == 4 ? bytes : null;
    }

    private static int parsePrefix(String network, String prefix) {
        try {
            return Integer.parseInt(prefix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("network: " + network + " (expected: a numeric prefix)", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpNetwork that && prefix == that.prefix && Arrays.equals(network, that.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** As written. */
    @Override
    public String toString() {
        return text;
    }
}
