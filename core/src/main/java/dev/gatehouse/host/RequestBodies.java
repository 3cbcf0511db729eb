package dev.gatehouse.host;

import dev.gatehouse.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/** Bounded reading of request bodies, shared by every exchange implementation. */
public final class RequestBodies {
    private RequestBodies() {}

    /**
     * Reads all of {@code in} if it holds at most {@code maxBytes}; reads at most one byte more otherwise,
     * so a huge body costs no more than the limit.
     *
     * @return the body, or empty when it is longer than {@code maxBytes}
     */
    public static Optional<RequestBody> read(InputStream in, int maxBytes) throws IOException {
        // In long: the limit plus the one byte that shows a longer body overflows an int at Integer.MAX_VALUE.
        long most = Math.min((long) maxBytes + 1, Integer.MAX_VALUE - 8);
        byte[] buffer = new byte[(int) Math.min(most, 8192)];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > maxBytes) {
                    return Optional.empty();
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(most, 2L * buffer.length));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return Optional.of(RequestBody.wrap(buffer, length));
            }
            length += n;
        }
    }
}
