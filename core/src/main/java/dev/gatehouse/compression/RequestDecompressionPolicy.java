package dev.gatehouse.compression;

import static dev.gatehouse.internal.Checks.checkArgument;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Problem;
import dev.gatehouse.RequestBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * Decodes request bodies sent with {@code Content-Encoding: gzip} or {@code deflate}, so that services
 * receive plain bytes. Off unless this policy is in the chain; place it after authentication and rate
 * limiting, so that unauthenticated floods are never inflated.
 *
 * <ul>
 *   <li>The wire body is read up to {@code maxWireBytes} (1 MiB by default; more → 413).
 *   <li>Inflation stops as soon as the inflated size passes {@code maxInflatedBytes} (8 MiB by default) or
 *       {@code maxRatio} times the wire size (100 by default): 413, after inflating at most one block past
 *       the limit, whatever the bomb would have grown to.
 *   <li>Truncated streams, bad CRC or ISIZE, trailing garbage and malformed headers → 400.
 *   <li>Stacked codings ({@code gzip, gzip}, at most {@code maxLayers}, 2 by default) are all decoded under
 *       one shared cap; an unsupported coding → 415 with {@code Accept-Encoding: gzip, deflate}.
 *   <li>The service sees no {@code Content-Encoding}, a {@code Content-Length} of the inflated body and the
 *       exact original bytes.
 * </ul>
 */
public final class RequestDecompressionPolicy implements OffloadPolicy {
    private static final int CHUNK = 16 * 1024;

    private final int maxWireBytes;
    private final int maxInflatedBytes;
    private final int maxRatio;
    private final int maxLayers;

    private RequestDecompressionPolicy(Builder builder) {
        this.maxWireBytes = builder.maxWireBytes;
        this.maxInflatedBytes = builder.maxInflatedBytes;
        this.maxRatio = builder.maxRatio;
        this.maxLayers = builder.maxLayers;
    }

    public static RequestDecompressionPolicy ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Refused with a status: 400, 413 or 415. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String detail;

        Refusal(int status, String detail, String reason) {
            super(reason, null, false, false);
            this.status = status;
            this.detail = detail;
        }
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        List<String> codings = new ArrayList<>();
        for (String field : exchange.requestHeaders().all("Content-Encoding")) {
            for (String coding : field.split(",")) {
                String name = coding.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("identity")) {
                    codings.add(name.equals("x-gzip") ? "gzip" : name);
                }
            }
        }
        if (codings.isEmpty()) {
            return Decision.proceed();
        }
        for (String coding : codings) {
            if (!coding.equals("gzip") && !coding.equals("deflate")) {
                return unsupported(
                        "Content-Encoding " + coding + " is not supported.", "unsupported coding " + printable(coding));
            }
        }
        if (codings.size() > maxLayers) {
            return unsupported(
                    "At most " + maxLayers + " stacked content codings are accepted.",
                    codings.size() + " stacked codings");
        }
        try {
            if (!exchange.bufferBody(maxWireBytes)) {
                return Decision.reject(413, "The compressed request body is larger than " + maxWireBytes + " bytes.")
                        .because("compressed body over " + maxWireBytes + " bytes");
            }
        } catch (IOException e) {
            return Decision.reject(400, "The request body could not be read.").because("body unreadable: " + e);
        }
        RequestBody wire = exchange.body().orElseThrow();
        long cap = Math.min(maxInflatedBytes, (long) maxRatio * Math.max(wire.length(), 1));
        byte[] bytes = wire.toByteArray();
        int length = bytes.length;
        try {
            // Codings are listed in the order they were applied: undo the last one first.
            for (int i = codings.size() - 1; i >= 0; i--) {
                ByteArrayOutputStream inflated = new ByteArrayOutputStream(Math.min(length * 4 + 64, CHUNK * 4));
                if (codings.get(i).equals("gzip")) {
                    gunzip(bytes, length, inflated, cap);
                } else {
                    inflateZlib(bytes, 0, length, inflated, cap);
                }
                bytes = inflated.toByteArray();
                length = bytes.length;
            }
        } catch (Refusal refusal) {
            return Decision.reject(refusal.status, refusal.detail).because(refusal.getMessage());
        }
        exchange.replaceBody(RequestBody.wrap(bytes, length));
        return Decision.proceed(Headers.empty(), List.of("Content-Encoding"))
                .because("inflated " + String.join(",", codings) + " " + wire.length() + " -> " + length + " bytes");
    }

    private static Decision unsupported(String detail, String reason) {
        return Decision.reject(Problem.of(415, detail), Headers.of("Accept-Encoding", "gzip, deflate"))
                .because(reason);
    }

    /** One or more gzip members (RFC 1952), each with its CRC-32 and ISIZE checked; nothing may follow. */
    private void gunzip(byte[] in, int length, ByteArrayOutputStream out, long cap) throws Refusal {
        int position = 0;
        do {
            position = gunzipMember(in, position, length, out, cap);
        } while (position < length);
    }

    private int gunzipMember(byte[] in, int start, int length, ByteArrayOutputStream out, long cap) throws Refusal {
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
            consumed = inflate(inflater, in, position, length - position, out, cap, crc);
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
    private void inflateZlib(byte[] in, int start, int length, ByteArrayOutputStream out, long cap) throws Refusal {
        Inflater inflater = new Inflater(false);
        try {
            int consumed = inflate(inflater, in, start, length - start, out, cap, null);
            if (start + consumed != length) {
                throw malformed("trailing garbage after the deflate stream");
            }
        } finally {
            inflater.end();
        }
    }

    /** Inflates one stream to its end, counting inflated bytes against the cap; returns input bytes consumed. */
    private int inflate(
            Inflater inflater,
            byte[] in,
            int offset,
            int length,
            ByteArrayOutputStream out,
            long cap,
            @Nullable CRC32 crc)
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

    private static String printable(String text) {
        return dev.gatehouse.internal.Printable.of(text, 40);
    }

    @Override
    public String name() {
        return "decompression";
    }

    public static final class Builder {
        private int maxWireBytes = 1024 * 1024;
        private int maxInflatedBytes = 8 * 1024 * 1024;
        private int maxRatio = 100;
        private int maxLayers = 2;

        private Builder() {}

        public Builder maxWireBytes(int maxWireBytes) {
            checkArgument(maxWireBytes > 0, "maxWireBytes: %s (expected: > 0)", maxWireBytes);
            this.maxWireBytes = maxWireBytes;
            return this;
        }

        public Builder maxInflatedBytes(int maxInflatedBytes) {
            checkArgument(maxInflatedBytes > 0, "maxInflatedBytes: %s (expected: > 0)", maxInflatedBytes);
            this.maxInflatedBytes = maxInflatedBytes;
            return this;
        }

        /** The largest inflated/wire size ratio accepted; 100 by default. */
        public Builder maxRatio(int maxRatio) {
            checkArgument(maxRatio >= 1, "maxRatio: %s (expected: >= 1)", maxRatio);
            this.maxRatio = maxRatio;
            return this;
        }

        public Builder maxLayers(int maxLayers) {
            checkArgument(maxLayers >= 1 && maxLayers <= 4, "maxLayers: %s (expected: 1..4)", maxLayers);
            this.maxLayers = maxLayers;
            return this;
        }

        public RequestDecompressionPolicy build() {
            return new RequestDecompressionPolicy(this);
        }
    }
}
