package dev.gatehouse.compression;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * The byte work of request decompression: undoes gzip (RFC 1952, every member's CRC-32 and ISIZE checked) and
 * zlib ({@code deflate}, RFC 1950) codings in memory, stopping as soon as the inflated size passes {@code cap}
 * — after at most one block past it, whatever a bomb would have grown to. Nothing may follow a stream.
 */
final class BoundedInflation {
    private static final int CHUNK = 16 * 1024;

    private final long cap;
    private final int maxInflatedBytes;
    private final int maxRatio;

    /** Refused with a status: 400 (malformed) or 413 (over the cap). */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String detail;

        Refusal(int status, String detail, String reason) {
            super(reason, null, false, false);
            this.status = status;
            this.detail = detail;
        }
    }

    /** At most {@code min(maxInflatedBytes, maxRatio × wireLength)} inflated bytes. */
    BoundedInflation(int wireLength, int maxInflatedBytes, int maxRatio) {
        this.cap = Math.min(maxInflatedBytes, (long) maxRatio * Math.max(wireLength, 1));
        this.maxInflatedBytes = maxInflatedBytes;
        this.maxRatio = maxRatio;
    }

    /** Undoes {@code codings} ({@code gzip} or {@code deflate}, in the order they were applied) under one cap. */
    byte[] decode(List<String> codings, byte[] wire) throws Refusal {
        byte[] bytes = wire;
        int length = bytes.length;
        // Codings are listed in the order they were applied: undo the last one first.
        for (int i = codings.size() - 1; i >= 0; i--) {
            ByteArrayOutputStream inflated = new ByteArrayOutputStream(Math.min(length * 4 + 64, CHUNK * 4));
            if (codings.get(i).equals("gzip")) {
                gunzip(bytes, length, inflated);
            } else {
                inflateZlib(bytes, 0, length, inflated);
            }
            bytes = inflated.toByteArray();
            length = bytes.length;
        }
        return bytes;
    }

    /** One or more gzip members (RFC 1952), each with its CRC-32 and ISIZE checked; nothing may follow. */
    private void gunzip(byte[] in, int length, ByteArrayOutputStream out) throws Refusal {
        int position = 0;
        do {
            position = gunzipMember(in, position, length, out);
        } while (position < length);
    }

    private int gunzipMember(byte[] in, int start, int length, ByteArrayOutputStream out) throws Refusal {
        if (length - start < 18 || (in[start] & 0xff) != 0x1f || (in[start + 1] & 0xff) != 0x8b) {
            throw malformed(start == 0 ? "not a gzip stream" : "trailing garbage after the gzip stream");
        }
        if (in[start + 2] != 8) {
            throw malformed("gzip compression method " + in[start + 2] + " (expected: 8, deflate)");
        }
        int flags = in[start + 3] & 0xff;
        int position = start + 10;
        if ((flags & 0x04) != 0) { // FEXTRA
            position = need(position, 2, length);
            int extra = (in[position - 2] & 0xff) | (in[position - 1] & 0xff) << 8;
            position = need(position, extra, length);
        }
        if ((flags & 0x08) != 0) { // FNAME
            position = skipZeroTerminated(in, position, length);
        }
        if ((flags & 0x10) != 0) { // FCOMMENT
            position = skipZeroTerminated(in, position, length);
        }
        if ((flags & 0x02) != 0) { // FHCRC
            position = need(position, 2, length);
        }
        int before = out.size();
        CRC32 crc = new CRC32();
        Inflater inflater = new Inflater(true);
        int consumed;
        try {
            consumed = inflate(inflater, in, position, length - position, out, crc);
        } finally {
            inflater.end();
        }
        position += consumed;
        if (length - position < 8) {
            throw malformed("truncated gzip trailer");
        }
        long expectedCrc = readIntLe(in, position) & 0xffffffffL;
        long expectedSize = readIntLe(in, position + 4) & 0xffffffffL;
        if (crc.getValue() != expectedCrc) {
            throw malformed("gzip CRC-32 mismatch");
        }
        if (((out.size() - before) & 0xffffffffL) != expectedSize) {
            throw malformed("gzip ISIZE mismatch");
        }
        return position + 8;
    }

    /** The zlib format (RFC 1950), as HTTP's {@code deflate} coding is defined; nothing may follow. */
    private void inflateZlib(byte[] in, int start, int length, ByteArrayOutputStream out) throws Refusal {
        Inflater inflater = new Inflater(false);
        try {
            int consumed = inflate(inflater, in, start, length - start, out, null);
            if (start + consumed != length) {
                throw malformed("trailing garbage after the deflate stream");
            }
        } finally {
            inflater.end();
        }
    }

    /** Inflates one stream to its end, counting inflated bytes against the cap; returns input bytes consumed. */
    private int inflate(
            Inflater inflater, byte[] in, int offset, int length, ByteArrayOutputStream out, @Nullable CRC32 crc)
            throws Refusal {
        inflater.setInput(in, offset, length);
        byte[] chunk = new byte[CHUNK];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0) {
                    if (inflater.needsInput()) {
                        throw malformed("truncated compressed stream");
                    }
                    if (inflater.needsDictionary()) {
                        throw malformed("deflate stream needs a preset dictionary");
                    }
                }
                out.write(chunk, 0, n);
                if (crc != null) {
                    crc.update(chunk, 0, n);
                }
                if (out.size() > cap) {
                    throw new Refusal(
                            413,
                            "The decompressed request body is larger than allowed.",
                            "inflated body over " + cap + " bytes (max " + maxInflatedBytes + ", ratio " + maxRatio
                                    + ":1) from " + length + " compressed bytes");
                }
            }
        } catch (DataFormatException e) {
            throw malformed("corrupt compressed data (" + e.getMessage() + ")");
        }
        return length - inflater.getRemaining();
    }

    private static int need(int position, int count, int length) throws Refusal {
        if (length - position < count) {
            throw malformed("truncated gzip header");
        }
        return position + count;
    }

    private static int skipZeroTerminated(byte[] in, int position, int length) throws Refusal {
        while (position < length && in[position] != 0) {
            position++;
        }
        return need(position, 1, length);
    }

    private static int readIntLe(byte[] in, int at) {
        return (in[at] & 0xff) | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff) << 16 | (in[at + 3] & 0xff) << 24;
    }

    private static Refusal malformed(String reason) {
        return new Refusal(400, "The compressed request body is malformed.", reason);
    }
}
