package dev.gatehouse.compression;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Raw deflate (RFC 1951) of a small body in one final block with the fixed Huffman codes: greedy LZ77 over a
 * 2,048-entry hash of 4-byte sequences, or a stored block when that would not be smaller.
 *
 * <p>Why not {@link java.util.zip.Deflater}: zlib builds dynamic Huffman trees for every block and keeps about
 * 256 KiB of state per stream (a 32 KiB window and a 64 KiB hash head it clears on each reset). For a 1 KiB
 * response that fixed cost is most of the work: measured under load in the gateway, zlib and its reset took
 * about 18 µs of a 1 KiB gzip response's CPU, against 8 µs for the same call on a quiet core. nginx avoids it by
 * shrinking zlib's window and hash for short responses; {@code java.util.zip} can set neither, nor zlib's
 * {@code Z_FIXED} strategy. This encoder keeps a 4 KiB hash table, cleared for each body, and emits codes from
 * tables: on a quiet core, about a fifth of zlib's time on a 1 KiB JSON body (1.6 µs against 8 µs), for about a
 * fifth more output than zlib's level 1 (fixed codes spend 8 bits on a letter where zlib's trees fit them to the
 * body). Only level 1, the fastest, uses it; streams, flushes and bodies past {@link #MAX_INPUT} still go to zlib.
 *
 * <p>Not thread-safe: one body at a time, from a pool.
 */
final class FixedHuffmanDeflater {
    /** The largest body encoded here; larger ones amortise zlib's fixed cost and compress better with it. */
    static final int MAX_INPUT = 4096;

    /** Bytes free in {@link #output()} past any result: a gzip trailer (CRC-32 and length). */
    static final int TRAILER_ROOM = 8;

    private static final int HASH_BITS = 11;
    private static final int MIN_MATCH = 4;
    private static final int MAX_MATCH = 258;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** For a literal or length symbol (0..287): its fixed code, bit-reversed for LSB-first output, and length. */
    private static final int[] SYMBOL_CODE = new int[288];

    private static final byte[] SYMBOL_BITS = new byte[288];
    /** For a match length (3..258): the length symbol's code with its extra bits above it, and the total bits. */
    private static final int[] LENGTH_CODE = new int[MAX_MATCH + 1];

    private static final byte[] LENGTH_BITS = new byte[MAX_MATCH + 1];
    private static final int[] DISTANCE_BASE = {
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577
    };
    /** The distance code of (distance - 1) below 256, and of 256 + ((distance - 1) >> 7) above, as zlib does. */
    private static final byte[] DISTANCE_CODE = new byte[512];

    static {
        for (int symbol = 0; symbol < 288; symbol++) {
            int code;
            int bits;
            if (symbol < 144) {
                code = 0x30 + symbol;
                bits = 8;
            } else if (symbol < 256) {
                code = 0x190 + symbol - 144;
                bits = 9;
            } else if (symbol < 280) {
                code = symbol - 256;
                bits = 7;
            } else {
                code = 0xc0 + symbol - 280;
                bits = 8;
            }
            SYMBOL_CODE[symbol] = Integer.reverse(code) >>> (32 - bits);
            SYMBOL_BITS[symbol] = (byte) bits;
        }
        int[] lengthBase = {
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
            227, 258
        };
        int[] lengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        for (int length = 3; length <= MAX_MATCH; length++) {
            int index = lengthBase.length - 1;
            while (lengthBase[index] > length) {
                index--;
            }
            int symbol = 257 + index;
            int bits = SYMBOL_BITS[symbol];
            LENGTH_CODE[length] = SYMBOL_CODE[symbol] | (length - lengthBase[index]) << bits;
            LENGTH_BITS[length] = (byte) (bits + lengthExtra[index]);
        }
        for (int code = 0; code < DISTANCE_BASE.length; code++) {
            int first = DISTANCE_BASE[code] - 1;
            int last = code + 1 < DISTANCE_BASE.length ? DISTANCE_BASE[code + 1] - 2 : 32767;
            for (int distance = first; distance <= last; distance++) {
                int slot = distance < 256 ? distance : 256 + (distance >> 7);
                DISTANCE_CODE[slot] = (byte) code;
            }
        }
    }

    /** Position + 1 of the last sequence with each hash (0: none): 4 KiB, cleared for each body. */
    private final char[] table = new char[1 << HASH_BITS];

    /** The body, gathered from its writes until it is complete or too large for this encoder. */
    private final byte[] input = new byte[MAX_INPUT];

    private int held;
    /** Room for every literal at 9 bits, and a result (at most a stored block) with its trailer. */
    private final byte[] out = new byte[MAX_INPUT + MAX_INPUT / 8 + 64];

    private long bitBuffer;
    private int bitCount;
    private int count;

    /** Adds {@code length} bytes to the body held; false, holding nothing more, when they would not fit. */
    boolean hold(byte[] bytes, int offset, int length) {
        if (length > MAX_INPUT - held) {
            return false;
        }
        System.arraycopy(bytes, offset, input, held, length);
        held += length;
        return true;
    }

    /** The body held so far: {@code heldBytes()[0..held())}. */
    byte[] heldBytes() {
        return input;
    }

    int held() {
        return held;
    }

    /** Encodes the body held and forgets it; the result is {@link #output()}{@code [0..returned)}. */
    int deflateHeld() {
        int length = held;
        held = 0;
        return deflate(input, length);
    }

    /** Forgets the body held, for reuse. */
    void clear() {
        held = 0;
    }

    /** The largest output of {@link #deflate} for {@code length} input bytes: a stored block's. */
    static int maxOutput(int length) {
        return length + 5;
    }

    /** Encodes {@code input[0..length)}; the result is {@link #output()}{@code [0..returned)}. */
    int deflate(byte[] input, int length) {
        if (length > MAX_INPUT) {
            throw new IllegalArgumentException("length: " + length + " (expected: <= " + MAX_INPUT + ")");
        }
        Arrays.fill(table, (char) 0);
        count = 0;
        bitBuffer = 0;
        bitCount = 0;
        put(3, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
        int literalsFrom = 0;
        int position = 0;
        int limit = length - MIN_MATCH;
        char[] hashes = table;
        while (position <= limit) {
            int sequence = (int) INT_LE.get(input, position);
            int slot = (sequence * 0x9e3779b1) >>> (32 - HASH_BITS);
            int candidate = hashes[slot] - 1;
            hashes[slot] = (char) (position + 1);
            if (candidate < 0 || (int) INT_LE.get(input, candidate) != sequence) {
                position++;
                continue;
            }
            int match = MIN_MATCH;
            int most = Math.min(MAX_MATCH, length - position);
            while (match < most && input[candidate + match] == input[position + match]) {
                match++;
            }
            literals(input, literalsFrom, position);
            putMatch(match, position - candidate);
            position += match;
            literalsFrom = position;
            if (count > length) {
                return stored(input, length);
            }
        }
        literals(input, literalsFrom, length);
        put(SYMBOL_CODE[256], SYMBOL_BITS[256]);
        flushBits();
        return count > maxOutput(length) - 1 ? stored(input, length) : count;
    }

    /** Where {@link #deflate} writes, with room for at least {@value #TRAILER_ROOM} bytes past any result. */
    byte[] output() {
        return out;
    }

    private void literals(byte[] input, int from, int to) {
        for (int i = from; i < to; i++) {
            int symbol = input[i] & 0xff;
            put(SYMBOL_CODE[symbol], SYMBOL_BITS[symbol]);
        }
    }

    private void putMatch(int length, int distance) {
        put(LENGTH_CODE[length], LENGTH_BITS[length]);
        int d = distance - 1;
        int code = DISTANCE_CODE[d < 256 ? d : 256 + (d >> 7)];
        int extraBits = code < 4 ? 0 : (code >> 1) - 1;
        int reversed = Integer.reverse(code) >>> 27;
        put(reversed | (distance - DISTANCE_BASE[code]) << 5, 5 + extraBits);
    }

    private void put(int bits, int length) {
        bitBuffer |= (long) bits << bitCount;
        bitCount += length;
        if (bitCount >= 32) {
            int word = (int) bitBuffer;
            out[count] = (byte) word;
            out[count + 1] = (byte) (word >>> 8);
            out[count + 2] = (byte) (word >>> 16);
            out[count + 3] = (byte) (word >>> 24);
            count += 4;
            bitBuffer >>>= 32;
            bitCount -= 32;
        }
    }

    private void flushBits() {
        while (bitCount > 0) {
            out[count++] = (byte) bitBuffer;
            bitBuffer >>>= 8;
            bitCount -= 8;
        }
        bitCount = 0;
    }

    /** One final stored block: the body as it is, for input the codes would only make longer. */
    private int stored(byte[] input, int length) {
        out[0] = 1; // BFINAL = 1, BTYPE = 00, then padding to the byte
        out[1] = (byte) length;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) ~length;
        out[4] = (byte) (~length >>> 8);
        System.arraycopy(input, 0, out, 5, length);
        count = length + 5;
        return count;
    }
}
