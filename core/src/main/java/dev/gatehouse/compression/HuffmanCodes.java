package dev.gatehouse.compression;

import java.util.Arrays;

/**
 * Canonical, length-limited Huffman codes for a deflate alphabet (RFC 1951, 3.2.2), built from symbol
 * frequencies: the literal/length, distance and code-length trees of a dynamic block. Codes come bit-reversed,
 * for deflate's least-significant-bit-first output.
 *
 * <p>Not thread-safe: it keeps its scratch arrays between builds, one per encoder.
 */
final class HuffmanCodes {
    /** The largest alphabet: literals and lengths. */
    private static final int MAX_SYMBOLS = 286;

    private static final int MAX_BITS = 15;
    private static final int[] REVERSED_BYTE = new int[256];

    static {
        for (int value = 0; value < 256; value++) {
            REVERSED_BYTE[value] = Integer.reverse(value) >>> 24;
        }
    }

    private final int[] sortKeys = new int[MAX_SYMBOLS];
    private final int[] depths = new int[MAX_SYMBOLS];
    private final int[] lengthCounts = new int[MAX_BITS + 2];
    private final int[] nextCode = new int[MAX_BITS + 2];

    /**
     * Optimal code lengths for these frequencies, none longer than {@code limit}, then their canonical codes. At
     * least two symbols get a code, as zlib gives them, so that every inflater accepts the tree.
     *
     * <p>Minimum-redundancy lengths in place (Moffat and Katajainen), then lengths past the limit folded back as
     * miniz does, and canonical codes as RFC 1951, 3.2.2 assigns them.
     */
    void build(int[] frequency, int symbols, int limit, byte[] lengths, int[] codes) {
        int used = 0;
        for (int symbol = 0; symbol < symbols; symbol++) {
            int count = frequency[symbol];
            sortKeys[used] = count << 9 | symbol;
            used += (count + Integer.MAX_VALUE) >>> 31; // one for a symbol used, without a branch to mispredict
        }
        for (int symbol = 0; used < 2; symbol++) {
            if (frequency[symbol] == 0) {
                sortKeys[used++] = 1 << 9 | symbol; // a code never sent, for the tree's sake
            }
        }
        Arrays.fill(lengths, 0, symbols, (byte) 0);
        Arrays.sort(sortKeys, 0, used);
        for (int i = 0; i < used; i++) {
            depths[i] = sortKeys[i] >>> 9;
        }
        minimumRedundancy(depths, used);
        Arrays.fill(lengthCounts, 0);
        for (int i = 0; i < used; i++) {
            lengthCounts[Math.min(depths[i], limit + 1)]++;
        }
        limitLengths(lengthCounts, limit);
        int next = used;
        for (int bits = 1; bits <= limit; bits++) {
            for (int n = lengthCounts[bits]; n > 0; n--) {
                lengths[sortKeys[--next] & 511] = (byte) bits;
            }
        }
        lengthCounts[0] = 0; // lengthCounts[1..limit] are the lengths just given
        int code = 0;
        for (int bits = 1; bits <= limit; bits++) {
            code = (code + lengthCounts[bits - 1]) << 1;
            nextCode[bits] = code;
        }
        for (int symbol = 0; symbol < symbols; symbol++) {
            int bits = lengths[symbol];
            if (bits != 0) {
                codes[symbol] = reverse(nextCode[bits]++, bits);
            }
        }
    }

    /** The code lengths given to symbols of these frequencies (at most 286), none longer than {@code limit}. */
    byte[] lengths(int[] frequency, int limit) {
        byte[] lengths = new byte[frequency.length];
        build(frequency, frequency.length, limit, lengths, new int[frequency.length]);
        return lengths;
    }

    /**
     * Replaces ascending frequencies {@code a[0..n)} with the lengths of a minimum-redundancy code for them, in
     * place (A. Moffat and J. Katajainen, "In-place calculation of minimum-redundancy codes", 1995).
     */
    private static void minimumRedundancy(int[] a, int n) {
        a[0] += a[1];
        int root = 0;
        int leaf = 2;
        for (int next = 1; next < n - 1; next++) {
            if (leaf >= n || a[root] < a[leaf]) {
                a[next] = a[root];
                a[root++] = next;
            } else {
                a[next] = a[leaf++];
            }
            if (leaf >= n || (root < next && a[root] < a[leaf])) {
                a[next] += a[root];
                a[root++] = next;
            } else {
                a[next] += a[leaf++];
            }
        }
        a[n - 2] = 0;
        for (int next = n - 3; next >= 0; next--) {
            a[next] = a[a[next]] + 1;
        }
        int available = 1;
        int used = 0;
        int depth = 0;
        int root2 = n - 2;
        int next = n - 1;
        while (available > 0) {
            while (root2 >= 0 && a[root2] == depth) {
                used++;
                root2--;
            }
            while (available > used) {
                a[next--] = depth;
                available--;
            }
            available = 2 * used;
            depth++;
            used = 0;
        }
    }

    /**
     * Folds the counts of lengths past {@code limit} (gathered at {@code limit + 1}) back within it, keeping the
     * code complete: each step lengthens one shorter code to make room for one more at the limit.
     */
    private static void limitLengths(int[] counts, int limit) {
        counts[limit] += counts[limit + 1];
        counts[limit + 1] = 0;
        long total = 0;
        for (int bits = limit; bits > 0; bits--) {
            total += (long) counts[bits] << (limit - bits);
        }
        while (total != 1L << limit) {
            counts[limit]--;
            for (int bits = limit - 1; bits > 0; bits--) {
                if (counts[bits] != 0) {
                    counts[bits]--;
                    counts[bits + 1] += 2;
                    break;
                }
            }
            total--;
        }
    }

    /** The low {@code bits} (at most 16) of {@code code} in reverse order, from a table rather than bit by bit. */
    static int reverse(int code, int bits) {
        return (REVERSED_BYTE[code & 0xff] << 8 | REVERSED_BYTE[(code >>> 8) & 0xff]) >>> (16 - bits);
    }
}
