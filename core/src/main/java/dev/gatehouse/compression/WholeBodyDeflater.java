package dev.gatehouse.compression;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Raw deflate (RFC 1951) of a whole body of up to 32 KiB, held in memory, in one final block: greedy LZ77 over a
 * hash table sized to the body, then whichever of dynamic Huffman codes (for a body of more than {@link
 * #FIXED_CODES_UP_TO} symbols), the fixed codes or a stored block is smallest, counted exactly before a bit is
 * written.
 *
 * <p>Why not {@link java.util.zip.Deflater}: zlib keeps about 256 KiB of state per stream (a 32 KiB window and a
 * 64 KiB hash head it clears on every reset, whatever the body's size), copies every body into its window, and
 * checks its matches a byte at a time. For an API response that fixed cost is most of the work: measured under
 * load in the gateway, zlib took about 18 µs of a 1 KiB gzip response's CPU and 25 µs of a 20 KiB one. nginx
 * avoids part of it by shrinking zlib's window and hash for short responses; {@code java.util.zip} can set
 * neither. Knowing the whole body before encoding it lets this encoder size its hash table to the body (clearing
 * 1 to 16 KiB, not 64 KiB), compare matches eight bytes at a time ({@link Arrays#mismatch}, vectorised by the JIT),
 * and pick the block type by its exact size. It finds the matches zlib's level 1 finds, less its four-deep hash
 * chains. With dynamic codes its output is within a few percent of zlib's level 1 for half to nine tenths of
 * zlib's CPU on a quiet core (20 KiB of JSON records: 6,176 bytes in 42 µs against 6,307 in 87 µs; very regular
 * records: 26 µs against 28 µs), less under load, where zlib's larger state is cold; with the fixed codes, for
 * short or very repetitive bodies, it costs a fifth of zlib's CPU or less for about a fifth more output (1 KiB of
 * JSON: 1 to 2.5 µs against 6 to 8 µs). Only level 1, the fastest, uses it; streams, flushes and bodies past {@link
 * #MAX_INPUT} go to zlib.
 *
 * <p>Not thread-safe: one body at a time, from a pool. Buffers grow with the bodies seen, up to about 150 KiB.
 */
final class WholeBodyDeflater {
    /** The largest body encoded here: deflate's window, so every earlier byte of the body is in reach. */
    static final int MAX_INPUT = 32 * 1024;

    /** Bytes free in {@link #output()} past any result: a gzip trailer (CRC-32 and length). */
    static final int TRAILER_ROOM = 8;

    /**
     * A body that parses into at most this many entries (a literal takes one, a match two) uses the fixed codes
     * (or a stored block). Building dynamic codes costs about 2.5 µs whatever the body, as much as emitting a few
     * thousand entries, and they save at most two or three bits an entry, less a header of 60 to 100 bytes: for
     * a 1 KiB JSON body (about 800 entries) or 20 KiB of the same sentence repeated (about 450), they cost more
     * CPU than the bytes they save are worth.
     */
    static final int FIXED_CODES_UP_TO = 2048;

    /** At least 9/8 of {@link #FIXED_CODES_UP_TO}: a fixed block of 9-bit letters fits before it is measured. */
    private static final int INITIAL_CAPACITY = 4096;

    private static final int MIN_HASH_BITS = 9;
    private static final int MAX_HASH_BITS = 13;
    private static final int MIN_MATCH = 4;
    private static final int MAX_MATCH = 258;
    private static final int LITERAL_SYMBOLS = 286;
    private static final int DISTANCE_SYMBOLS = 30;
    private static final int END_OF_BLOCK = 256;
    private static final int MAX_CODE_BITS = 15;
    private static final int MAX_CODE_LENGTH_BITS = 7;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The order in which a dynamic block's header lists the code-length code's lengths (RFC 1951, 3.2.7). */
    private static final byte[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private static final int[] LENGTH_BASE = {
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258
    };
    private static final byte[] LENGTH_EXTRA = {
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
    };
    private static final int[] DISTANCE_BASE = {
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577
    };
    /** For a match length (3..258): its length symbol less 257. */
    private static final byte[] LENGTH_SYMBOL = new byte[MAX_MATCH + 1];
    /** The distance code of (distance - 1) below 256, and of 256 + ((distance - 1) >> 7) above, as zlib does. */
    private static final byte[] DISTANCE_CODE = new byte[512];

    /** The fixed codes, bit-reversed for LSB-first output, and their lengths. */
    private static final int[] FIXED_LITERAL_CODE = new int[288];

    private static final byte[] FIXED_LITERAL_BITS = new byte[288];
    private static final int[] FIXED_DISTANCE_CODE = new int[DISTANCE_SYMBOLS];
    private static final byte[] FIXED_DISTANCE_BITS = new byte[DISTANCE_SYMBOLS];

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
            FIXED_LITERAL_CODE[symbol] = HuffmanCodes.reverse(code, bits);
            FIXED_LITERAL_BITS[symbol] = (byte) bits;
        }
        for (int code = 0; code < DISTANCE_SYMBOLS; code++) {
            FIXED_DISTANCE_CODE[code] = HuffmanCodes.reverse(code, 5);
            FIXED_DISTANCE_BITS[code] = 5;
        }
        for (int length = 3; length <= MAX_MATCH; length++) {
            int index = LENGTH_BASE.length - 1;
            while (LENGTH_BASE[index] > length) {
                index--;
            }
            LENGTH_SYMBOL[length] = (byte) index;
        }
        for (int code = 0; code < DISTANCE_SYMBOLS; code++) {
            int first = DISTANCE_BASE[code] - 1;
            int last = code + 1 < DISTANCE_SYMBOLS ? DISTANCE_BASE[code + 1] - 2 : 32767;
            for (int distance = first; distance <= last; distance++) {
                DISTANCE_CODE[distance < 256 ? distance : 256 + (distance >> 7)] = (byte) code;
            }
        }
    }

    /** Position + 1 of the last sequence with each hash (0: none); only the part sized to a body is used. */
    private final char[] table = new char[1 << MAX_HASH_BITS];

    /** The body, gathered from its writes until it is complete or too large for this encoder. */
    private byte[] input = new byte[INITIAL_CAPACITY];

    private int held;
    /**
     * The parsed body: a literal byte (below 256), or 256 + a match's length followed by its distance less one.
     * A match takes two entries for at least four bytes, so there are never more entries than bytes.
     */
    private char[] symbols = new char[INITIAL_CAPACITY];

    private byte[] out = new byte[outputCapacity(INITIAL_CAPACITY)];

    private final int[] literalFrequency = new int[LITERAL_SYMBOLS];
    private final int[] distanceFrequency = new int[DISTANCE_SYMBOLS];
    private final int[] codeLengthFrequency = new int[19];
    private final byte[] literalBits = new byte[LITERAL_SYMBOLS];
    private final byte[] distanceBits = new byte[DISTANCE_SYMBOLS];
    private final byte[] codeLengthBits = new byte[19];
    private final int[] literalCode = new int[LITERAL_SYMBOLS];
    private final int[] distanceCode = new int[DISTANCE_SYMBOLS];
    private final int[] codeLengthCode = new int[19];
    /** The run-length coded code lengths of a dynamic header: symbol | repeat bits << 8. */
    private final int[] codeLengthRuns = new int[LITERAL_SYMBOLS + DISTANCE_SYMBOLS];

    private final byte[] allLengths = new byte[LITERAL_SYMBOLS + DISTANCE_SYMBOLS];
    private final HuffmanCodes huffman = new HuffmanCodes();
    private int runCount;

    private long bitBuffer;
    private int bitCount;
    private int count;

    /** Adds {@code length} bytes to the body held; false, holding nothing more, when they would not fit. */
    boolean hold(byte[] bytes, int offset, int length) {
        if (length > MAX_INPUT - held) {
            return false;
        }
        if (held + length > input.length) {
            input = Arrays.copyOf(input, Math.min(MAX_INPUT, Integer.highestOneBit(held + length - 1) << 1));
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

    /**
     * Where the last {@link #deflate} wrote, with room for at least {@value #TRAILER_ROOM} bytes past its result.
     * Ask after encoding: a larger body than any before gets a larger buffer.
     */
    byte[] output() {
        return out;
    }

    /** Encodes {@code input[0..length)}; the result is {@link #output()}{@code [0..returned)}. */
    int deflate(byte[] input, int length) {
        if (length > MAX_INPUT) {
            throw new IllegalArgumentException("length: " + length + " (expected: <= " + MAX_INPUT + ")");
        }
        if (symbols.length < length) {
            int capacity = Math.min(MAX_INPUT, Integer.highestOneBit(length - 1) << 1);
            symbols = new char[capacity];
            out = new byte[outputCapacity(capacity)];
        }
        count = 0;
        bitBuffer = 0;
        bitCount = 0;
        if (length <= FIXED_CODES_UP_TO) {
            return fixedBlock(input, length);
        }
        int parsed = parse(input, length);
        long extraBits = extraBits();
        long fixedBits =
                3 + extraBits + cost(literalFrequency, FIXED_LITERAL_BITS, distanceFrequency, FIXED_DISTANCE_BITS);
        long dynamicBits = parsed > FIXED_CODES_UP_TO ? 3 + extraBits + dynamicCodes() : Long.MAX_VALUE;
        long storedBits = 8L * maxOutput(length);
        if (storedBits <= Math.min(fixedBits, dynamicBits)) {
            return stored(input, length);
        }
        if (dynamicBits < fixedBits) {
            put(5, 3); // BFINAL = 1, BTYPE = 10 (dynamic Huffman codes)
            dynamicHeader();
            emit(parsed, literalCode, literalBits, distanceCode, distanceBits);
        } else {
            put(3, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
            emit(parsed, FIXED_LITERAL_CODE, FIXED_LITERAL_BITS, FIXED_DISTANCE_CODE, FIXED_DISTANCE_BITS);
        }
        flushBits();
        return count;
    }

    /** Greedy LZ77 of the body into {@link #symbols}, counting each symbol's frequency; returns the entries used. */
    private int parse(byte[] input, int length) {
        Arrays.fill(literalFrequency, 0);
        Arrays.fill(distanceFrequency, 0);
        literalFrequency[END_OF_BLOCK] = 1;
        int hashBits = clearTable(length);
        char[] parsed = symbols;
        int[] literals = literalFrequency;
        int entries = 0;
        int position = 0;
        int limit = length - MIN_MATCH;
        while (position <= limit) {
            int candidate = candidate(input, position, hashBits);
            if (candidate < 0) {
                int literal = input[position++] & 0xff;
                parsed[entries++] = (char) literal;
                literals[literal]++;
                continue;
            }
            int match = matchLength(input, candidate, position, length);
            int distance = position - candidate - 1;
            parsed[entries++] = (char) (256 + match);
            parsed[entries++] = (char) distance;
            literals[257 + LENGTH_SYMBOL[match]]++;
            distanceFrequency[distanceCode(distance)]++;
            position += match;
        }
        while (position < length) {
            int literal = input[position++] & 0xff;
            parsed[entries++] = (char) literal;
            literals[literal]++;
        }
        return entries;
    }

    /** Clears the part of the hash table sized to a body of {@code length} bytes; returns its bits. */
    private int clearTable(int length) {
        int hashBits = Math.max(MIN_HASH_BITS, Math.min(MAX_HASH_BITS, 32 - Integer.numberOfLeadingZeros(length) - 1));
        Arrays.fill(table, 0, 1 << hashBits, (char) 0);
        return hashBits;
    }

    /**
     * The last earlier position whose four bytes hash as those at {@code position} do, if they are the same bytes
     * (else -1); {@code position} takes its place in the table.
     */
    private int candidate(byte[] input, int position, int hashBits) {
        int sequence = (int) INT_LE.get(input, position);
        int slot = (sequence * 0x9e3779b1) >>> (32 - hashBits);
        int candidate = table[slot] - 1;
        table[slot] = (char) (position + 1);
        return candidate >= 0 && (int) INT_LE.get(input, candidate) == sequence ? candidate : -1;
    }

    /** How long the match at {@code candidate} for {@code position} runs, its first four bytes known equal. */
    private static int matchLength(byte[] input, int candidate, int position, int length) {
        int most = Math.min(MAX_MATCH, length - position);
        int checked = MIN_MATCH;
        if (most >= checked + 8) {
            // Most matches in text end within eight bytes: one comparison, cheaper than a call to mismatch.
            long difference =
                    (long) LONG_LE.get(input, candidate + checked) ^ (long) LONG_LE.get(input, position + checked);
            if (difference != 0) {
                return checked + (Long.numberOfTrailingZeros(difference) >>> 3);
            }
            checked += 8;
        }
        int mismatch = Arrays.mismatch(
                input, candidate + checked, candidate + most, input, position + checked, position + most);
        return mismatch < 0 ? most : checked + mismatch;
    }

    /**
     * One final block with the fixed codes, emitted as the body is parsed, for a body too short to make dynamic
     * codes pay (it cannot parse into more entries than it has bytes): no symbols kept, nothing counted.
     */
    private int fixedBlock(byte[] input, int length) {
        int hashBits = clearTable(length);
        put(3, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
        int literalsFrom = 0;
        int position = 0;
        int limit = length - MIN_MATCH;
        while (position <= limit) {
            int candidate = candidate(input, position, hashBits);
            if (candidate < 0) {
                position++;
                continue;
            }
            int match = matchLength(input, candidate, position, length);
            fixedLiterals(input, literalsFrom, position);
            putFixedMatch(match, position - candidate - 1);
            position += match;
            literalsFrom = position;
        }
        fixedLiterals(input, literalsFrom, length);
        put(FIXED_LITERAL_CODE[END_OF_BLOCK], FIXED_LITERAL_BITS[END_OF_BLOCK]);
        flushBits();
        return count > maxOutput(length) ? stored(input, length) : count;
    }

    /** {@code input[from..to)} as literals with the fixed codes; the bit writer in locals, as in {@link #emit}. */
    private void fixedLiterals(byte[] input, int from, int to) {
        byte[] into = out;
        long buffer = bitBuffer;
        int filled = bitCount;
        int at = count;
        for (int i = from; i < to; i++) {
            int literal = input[i] & 0xff;
            buffer |= (long) FIXED_LITERAL_CODE[literal] << filled;
            filled += FIXED_LITERAL_BITS[literal];
            if (filled >= 32) {
                INT_LE.set(into, at, (int) buffer);
                at += 4;
                buffer >>>= 32;
                filled -= 32;
            }
        }
        bitBuffer = buffer;
        bitCount = filled;
        count = at;
    }

    /** The extra bits of every length and distance: the same whatever the codes. */
    private long extraBits() {
        long bits = 0;
        for (int symbol = 0; symbol < LENGTH_EXTRA.length; symbol++) {
            bits += (long) literalFrequency[257 + symbol] * LENGTH_EXTRA[symbol];
        }
        for (int code = 4; code < DISTANCE_SYMBOLS; code++) {
            bits += (long) distanceFrequency[code] * ((code >> 1) - 1);
        }
        return bits;
    }

    private static long cost(int[] literals, byte[] literalLengths, int[] distances, byte[] distanceLengths) {
        long bits = 0;
        for (int symbol = 0; symbol < LITERAL_SYMBOLS; symbol++) {
            bits += (long) literals[symbol] * literalLengths[symbol];
        }
        for (int code = 0; code < DISTANCE_SYMBOLS; code++) {
            bits += (long) distances[code] * distanceLengths[code];
        }
        return bits;
    }

    /**
     * Builds this body's dynamic codes and the run-length coded header that describes them; returns the bits of
     * header and codes, less the block's three header bits and the extra bits.
     */
    private long dynamicCodes() {
        huffman.build(literalFrequency, LITERAL_SYMBOLS, MAX_CODE_BITS, literalBits, literalCode);
        huffman.build(distanceFrequency, DISTANCE_SYMBOLS, MAX_CODE_BITS, distanceBits, distanceCode);
        int literalCount = lastUsed(literalBits, 257);
        int distanceCount = lastUsed(distanceBits, 1);
        System.arraycopy(literalBits, 0, allLengths, 0, literalCount);
        System.arraycopy(distanceBits, 0, allLengths, literalCount, distanceCount);
        long runBits = runLengths(allLengths, literalCount + distanceCount);
        huffman.build(codeLengthFrequency, 19, MAX_CODE_LENGTH_BITS, codeLengthBits, codeLengthCode);
        long bits = 5 + 5 + 4 + 3L * codeLengthCount() + runBits;
        for (int symbol = 0; symbol < 19; symbol++) {
            bits += (long) codeLengthFrequency[symbol] * codeLengthBits[symbol];
        }
        return bits + cost(literalFrequency, literalBits, distanceFrequency, distanceBits);
    }

    private static int lastUsed(byte[] lengths, int atLeast) {
        int used = lengths.length;
        while (used > atLeast && lengths[used - 1] == 0) {
            used--;
        }
        return used;
    }

    private int codeLengthCount() {
        int used = 19;
        while (used > 4 && codeLengthBits[CODE_LENGTH_ORDER[used - 1]] == 0) {
            used--;
        }
        return used;
    }

    /**
     * Run-length codes a header's code lengths into {@link #codeLengthRuns} as zlib does (16: repeat the last
     * length 3 to 6 times; 17 and 18: 3 to 10 and 11 to 138 zeros), counting each symbol; returns the repeat bits.
     */
    private long runLengths(byte[] lengths, int total) {
        Arrays.fill(codeLengthFrequency, 0);
        runCount = 0;
        long repeatBits = 0;
        int index = 0;
        while (index < total) {
            int value = lengths[index];
            int run = 1;
            while (index + run < total && lengths[index + run] == value) {
                run++;
            }
            index += run;
            if (value == 0) {
                while (run >= 11) {
                    int repeat = Math.min(run, 138);
                    addRun(18, repeat - 11);
                    repeatBits += 7;
                    run -= repeat;
                }
                if (run >= 3) {
                    addRun(17, run - 3);
                    repeatBits += 3;
                    run = 0;
                }
            } else {
                addRun(value, 0);
                run--;
                while (run >= 3) {
                    int repeat = Math.min(run, 6);
                    addRun(16, repeat - 3);
                    repeatBits += 2;
                    run -= repeat;
                }
            }
            for (; run > 0; run--) {
                addRun(value, 0);
            }
        }
        return repeatBits;
    }

    private void addRun(int symbol, int repeat) {
        codeLengthRuns[runCount++] = symbol | repeat << 8;
        codeLengthFrequency[symbol]++;
    }

    private void dynamicHeader() {
        int literalCount = lastUsed(literalBits, 257);
        int distanceCount = lastUsed(distanceBits, 1);
        int lengthsCount = codeLengthCount();
        put(literalCount - 257, 5);
        put(distanceCount - 1, 5);
        put(lengthsCount - 4, 4);
        for (int i = 0; i < lengthsCount; i++) {
            put(codeLengthBits[CODE_LENGTH_ORDER[i]], 3);
        }
        for (int i = 0; i < runCount; i++) {
            int symbol = codeLengthRuns[i] & 0xff;
            int repeat = codeLengthRuns[i] >>> 8;
            put(codeLengthCode[symbol], codeLengthBits[symbol]);
            if (symbol >= 16) {
                put(repeat, symbol == 16 ? 2 : symbol == 17 ? 3 : 7);
            }
        }
    }

    /**
     * Writes the parsed entries with these codes. The bit writer's state lives in locals here, which the JIT keeps
     * in registers, rather than in the fields {@link #put} uses: this loop is most of the time of a larger body.
     */
    private void emit(
            int entries, int[] literalCodes, byte[] literalLengths, int[] distanceCodes, byte[] distanceLengths) {
        char[] parsed = symbols;
        byte[] into = out;
        long buffer = bitBuffer;
        int filled = bitCount;
        int at = count;
        for (int i = 0; i < entries; ) {
            int entry = parsed[i++];
            if (entry < 256) {
                buffer |= (literalCodes[entry] & 0xffffffffL) << filled;
                filled += literalLengths[entry];
            } else {
                long word = lengthWord(entry - 256, literalCodes, literalLengths);
                buffer |= (word & 0xffffffffL) << filled;
                filled += (int) (word >>> 32);
                if (filled >= 32) {
                    INT_LE.set(into, at, (int) buffer);
                    at += 4;
                    buffer >>>= 32;
                    filled -= 32;
                }
                word = distanceWord(parsed[i++], distanceCodes, distanceLengths);
                buffer |= (word & 0xffffffffL) << filled;
                filled += (int) (word >>> 32);
            }
            if (filled >= 32) {
                INT_LE.set(into, at, (int) buffer);
                at += 4;
                buffer >>>= 32;
                filled -= 32;
            }
        }
        bitBuffer = buffer;
        bitCount = filled;
        count = at;
        put(literalCodes[END_OF_BLOCK], literalLengths[END_OF_BLOCK]);
    }

    /** A match of {@code length} bytes {@code distance + 1} back, with the fixed codes. */
    private void putFixedMatch(int length, int distance) {
        long word = lengthWord(length, FIXED_LITERAL_CODE, FIXED_LITERAL_BITS);
        put((int) word, (int) (word >>> 32));
        word = distanceWord(distance, FIXED_DISTANCE_CODE, FIXED_DISTANCE_BITS);
        put((int) word, (int) (word >>> 32));
    }

    /** A match length's code with its extra bits above it (low 32 bits), and how many bits that is (high 32). */
    private static long lengthWord(int length, int[] codes, byte[] lengths) {
        int symbol = LENGTH_SYMBOL[length];
        int bits = lengths[257 + symbol];
        int word = codes[257 + symbol] | (length - LENGTH_BASE[symbol]) << bits;
        return (word & 0xffffffffL) | (long) (bits + LENGTH_EXTRA[symbol]) << 32;
    }

    /** The same for a distance less one: its code, its extra bits above it, and their count. */
    private static long distanceWord(int distance, int[] codes, byte[] lengths) {
        int code = distanceCode(distance);
        int bits = lengths[code];
        int word = codes[code] | (distance + 1 - DISTANCE_BASE[code]) << bits;
        return (word & 0xffffffffL) | (long) (bits + (code < 4 ? 0 : (code >> 1) - 1)) << 32;
    }

    /** The distance code of a distance less one. */
    private static int distanceCode(int distance) {
        return DISTANCE_CODE[distance < 256 ? distance : 256 + (distance >> 7)];
    }

    /** Appends {@code length} (at most 32) bits, least significant first. */
    private void put(int bits, int length) {
        bitBuffer |= (bits & 0xffffffffL) << bitCount;
        bitCount += length;
        if (bitCount >= 32) {
            INT_LE.set(out, count, (int) bitBuffer);
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

    /** Room for the largest result (a stored block), its trailer, and the bit writer's four-byte steps. */
    private static int outputCapacity(int inputCapacity) {
        return maxOutput(inputCapacity) + TRAILER_ROOM + 8;
    }
}
