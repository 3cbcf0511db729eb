package dev.gatehouse;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;

/** A request body buffered in memory because a policy asked to read it; the service still receives it whole. */
public final class RequestBody {
    private final byte[] bytes;
    private final int length;

    private RequestBody(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** The first {@code length} bytes of {@code buffer}, which the caller hands over and must not change. */
    public static RequestBody wrap(byte[] buffer, int length) {
        java.util.Objects.checkFromIndexSize(0, length, buffer.length);
        return new RequestBody(buffer, length);
    }

    public int length() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    public InputStream openStream() {
        return new ByteArrayInputStream(bytes, 0, length);
    }

    public byte[] toByteArray() {
        return java.util.Arrays.copyOf(bytes, length);
    }

    /** Feeds the body to a digest without copying it. */
    public void update(MessageDigest digest) {
        digest.update(bytes, 0, length);
    }

    @Override
    public String toString() {
        return "RequestBody[" + length + " bytes]";
    }
}
