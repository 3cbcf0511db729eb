package dev.gatehouse;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Changes a response body while it streams: wraps the stream the body is written to.
 *
 * <p>The host closes the returned stream once the body is complete; closing it must write any trailer
 * (a gzip trailer, say) and then close {@code downstream}. {@code flush()} must pass through so that
 * streamed responses (server-sent events) keep flowing. Bodies are never rewritten as byte arrays.
 */
@FunctionalInterface
public interface BodyTransform {
    OutputStream wrap(OutputStream downstream) throws IOException;
}
