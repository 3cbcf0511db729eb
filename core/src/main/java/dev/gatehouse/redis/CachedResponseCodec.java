package dev.gatehouse.redis;

import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.cache.CachedResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link CachedResponse} as bytes, for a Redis value: a version byte, then the status, the header fields in
 * order, the {@code Vary} names, the variant, the store time, the initial age, the lifetime, {@code
 * stale-while-revalidate}, {@code stale-if-error} and the body. Strings are length-prefixed UTF-8, instants and durations seconds plus
 * nanoseconds. No Java serialization: a value read from Redis is only ever parsed as this layout.
 */
final class CachedResponseCodec {
    private static final byte VERSION = 1;

    private CachedResponseCodec() {}

    static byte[] encode(CachedResponse cached) {
        try {
            StoredResponse response = cached.response();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(response.bodyLength() + 512);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeShort(response.status());
            Headers headers = response.headers();
            out.writeInt(headers.size());
            for (int i = 0; i < headers.size(); i++) {
                writeString(out, headers.name(i));
                writeString(out, headers.value(i));
            }
            out.writeInt(cached.varyNames().size());
            for (String name : cached.varyNames()) {
                writeString(out, name);
            }
            writeString(out, cached.variant());
            out.writeLong(cached.storedAt().getEpochSecond());
            out.writeInt(cached.storedAt().getNano());
            writeDuration(out, cached.initialAge());
            writeDuration(out, cached.lifetime());
            writeDuration(out, cached.staleWhileRevalidate());
            writeDuration(out, cached.staleIfError());
            out.writeInt(response.bodyLength());
            response.writeBodyTo(out);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream", e);
        }
    }

    /** @throws IllegalArgumentException when {@code value} is not a response of this layout */
    static CachedResponse decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException(
                        "cached response version " + version + " (expected: " + VERSION + ")");
            }
            int status = in.readShort();
            int fields = count(in, value.length);
            Headers headers = Headers.create();
            for (int i = 0; i < fields; i++) {
                headers.add(readString(in, value.length), readString(in, value.length));
            }
            int names = count(in, value.length);
            List<String> varyNames = new ArrayList<>(names);
            for (int i = 0; i < names; i++) {
                varyNames.add(readString(in, value.length));
            }
            String variant = readString(in, value.length);
            Instant storedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            Duration initialAge = readDuration(in);
            Duration lifetime = readDuration(in);
            Duration staleWhileRevalidate = readDuration(in);
            Duration staleIfError = readDuration(in);
            byte[] body = new byte[count(in, value.length)];
            in.readFully(body);
            if (in.available() > 0) {
                throw new IllegalArgumentException("cached response: " + in.available() + " bytes after the body");
            }
            return new CachedResponse(
                    StoredResponse.of(status, headers, body),
                    varyNames,
                    variant,
                    storedAt,
                    initialAge,
                    lifetime,
                    staleWhileRevalidate,
                    staleIfError);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("corrupt cached response (" + e.getMessage() + ")", e);
        }
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in, int limit) throws IOException {
        byte[] bytes = new byte[count(in, limit)];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A length or count, never more than the value's own length (a corrupt value cannot ask for a huge array). */
    private static int count(DataInputStream in, int limit) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > limit) {
            throw new IOException("count " + count + " (expected: 0.." + limit + ")");
        }
        return count;
    }

    private static void writeDuration(DataOutputStream out, Duration duration) throws IOException {
        out.writeLong(duration.getSeconds());
        out.writeInt(duration.getNano());
    }

    private static Duration readDuration(DataInputStream in) throws IOException {
        return Duration.ofSeconds(in.readLong(), in.readInt());
    }
}
