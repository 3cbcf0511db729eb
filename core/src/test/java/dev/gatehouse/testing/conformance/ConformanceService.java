package dev.gatehouse.testing.conformance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What each host's resource must do, endpoint by endpoint, in its own idiom, so that the suite observes
 * the same behaviour everywhere. Every endpoint first calls {@link #executed()}: the execution count proves
 * whether a request reached the resource.
 *
 * <ul>
 *   <li>{@code GET|POST|PUT /echo}: 200 {@code text/plain}, {@link #echo} of what the resource received
 *   <li>{@code GET /text?size=N}: 200 {@code text/plain}, {@link #text}(N) in one write; {@code
 *       type} sets its {@code Content-Type}, {@code cache} its {@code Cache-Control}, {@code frame} its {@code
 *       X-Frame-Options}, {@code etag} its {@code ETag} (quoted), answering 304 without a body to an {@code
 *       If-None-Match} of that tag; a request field {@code X-Fail: NNN} makes it answer status NNN with a short
 *       {@code text/plain} body instead (a failing service for caches)
 *   <li>{@code GET /stream}: 200 {@code text/plain}, {@link #STREAM_CHUNKS} chunks of {@link #text}({@link
 *       #CHUNK_SIZE}), flushed after each
 *   <li>{@code GET /async}: 200 {@code text/plain}, {@link #text}({@link #ASYNC_SIZE}) written from another
 *       thread after the request thread has returned
 *   <li>{@code GET /fail}: the resource throws an unchecked exception
 *   <li>{@code GET /error}: the application's own error response with status {@link #APP_ERROR_STATUS}
 *       ({@code sendError} for servlets, an exception mapper for JAX-RS)
 *   <li>{@code GET /redirect}: 302 with {@code Location: /text}
 * </ul>
 */
public final class ConformanceService {
    public static final int APP_ERROR_STATUS = 409;
    public static final int STREAM_CHUNKS = 4;
    public static final int CHUNK_SIZE = 4096;
    public static final int ASYNC_SIZE = 20_000;

    private final AtomicInteger executions = new AtomicInteger();

    /** Called by each endpoint when it starts. */
    public void executed() {
        executions.incrementAndGet();
    }

    public int executions() {
        return executions.get();
    }

    /** A deterministic, compressible text body of exactly {@code size} bytes. */
    public static byte[] text(int size) {
        StringBuilder text = new StringBuilder(size + 48);
        for (int line = 0; text.length() < size; line++) {
            text.append(String.format(Locale.ROOT, "line %05d of the conformance body%n", line));
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The echo of a request: one {@code key=value} line each for the method, the path, the SHA-256 of the
     * body, and every header value as {@code header:<lower-case name>=<value>}, names sorted.
     */
    public static String echo(String method, String path, Map<String, List<String>> headers, byte[] body) {
        StringBuilder echo = new StringBuilder()
                .append("method=")
                .append(method)
                .append('\n')
                .append("path=")
                .append(path)
                .append('\n')
                .append("body-sha256=")
                .append(sha256(body))
                .append('\n');
        Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> sorted.merge(name, values, (a, b) -> {
            List<String> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return all;
        }));
        sorted.forEach((name, values) -> values.forEach(value -> echo.append("header:")
                .append(name.toLowerCase(Locale.ROOT))
                .append('=')
                .append(value)
                .append('\n')));
        return echo.toString();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
