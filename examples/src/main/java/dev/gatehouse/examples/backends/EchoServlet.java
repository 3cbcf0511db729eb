package dev.gatehouse.examples.backends;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.Problem;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An httpbin-style instrument: answers every request with what it received, as JSON, and counts how many
 * requests it has handled.
 *
 * <pre>{"method", "path", "query": {name: value or [values]}, "headers": {name: value or [values]},
 *  "bodySha256", "executions"}</pre>
 *
 * <p>Header names are reported in lower case. Query parameters shape the response: {@code status=N}
 * (200..599), {@code type=<content type>}, {@code size=N} (pad the body to exactly N bytes, at most 64 MiB),
 * {@code header=Name:Value} (repeatable) and {@code sleep_ms=N} (at most 60 s). A malformed parameter is
 * answered 400 with a problem+json body that names it; nothing is counted then.
 */
public final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EchoServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SIZE = 64 * 1024 * 1024;
    private static final int MAX_SLEEP_MS = 60_000;

    private final AtomicLong executions = new AtomicLong();

    /** How many requests this instance has answered with an echo. */
    public long executions() {
        return executions.get();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Shape shape;
        try {
            shape = Shape.of(request);
        } catch (IllegalArgumentException e) {
            LOG.info("echo: refused {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
            writeProblem(response, Problem.of(400, e.getMessage()));
            return;
        }
        String bodySha256 = sha256(request.getInputStream());
        long count = executions.incrementAndGet();
        if (shape.sleepMillis > 0) {
            try {
                Thread.sleep(shape.sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        ObjectNode echo = JSON.createObjectNode();
        echo.put("method", request.getMethod());
        echo.put("path", request.getRequestURI());
        echo.set("query", JSON.valueToTree(multiMap(request.getParameterMap())));
        echo.set("headers", JSON.valueToTree(headers(request)));
        echo.put("bodySha256", bodySha256);
        echo.put("executions", count);
        byte[] body = pad(JSON.writeValueAsBytes(echo), echo, shape.size);

        response.setStatus(shape.status);
        response.setContentType(shape.contentType);
        for (String[] header : shape.headers) {
            response.addHeader(header[0], header[1]);
        }
        response.setContentLength(body.length);
        if (!request.getMethod().equals("HEAD")) {
            try (OutputStream out = response.getOutputStream()) {
                out.write(body);
            }
        }
    }

    private static Map<String, Object> headers(HttpServletRequest request) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            List<String> values = byName.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>());
            values.addAll(Collections.list(request.getHeaders(name)));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        byName.forEach((name, values) -> result.put(name, values.size() == 1 ? values.get(0) : values));
        return result;
    }

    private static Map<String, Object> multiMap(Map<String, String[]> parameters) {
        Map<String, Object> result = new LinkedHashMap<>();
        parameters.forEach((name, values) -> result.put(name, values.length == 1 ? values[0] : List.of(values)));
        return result;
    }

    /** Pads with a {@code padding} member so that the body is exactly {@code size} bytes, when it is shorter. */
    private static byte[] pad(byte[] body, ObjectNode echo, int size) throws IOException {
        String member = ",\"padding\":\"\"";
        if (size <= body.length + member.length()) {
            return body;
        }
        echo.put("padding", filler(size - body.length - member.length()));
        return JSON.writeValueAsBytes(echo);
    }

    private static String filler(int length) {
        String words = "The quick brown fox jumps over the lazy dog. ";
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            text.append(words, 0, Math.min(words.length(), length - text.length()));
        }
        return text.toString();
    }

    private static String sha256(InputStream body) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[8192];
        for (int n; (n = body.read(buffer)) != -1; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void writeProblem(HttpServletResponse response, Problem problem) throws IOException {
        byte[] body = problem.toJson();
        response.setStatus(problem.status());
        response.setContentType(Problem.MEDIA_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** How the query asks the response to look. */
    private record Shape(int status, String contentType, int size, List<String[]> headers, int sleepMillis) {
        static Shape of(HttpServletRequest request) {
            int status = intParameter(request, "status", 200, 200, 599);
            String type = request.getParameter("type");
            String contentType = type == null ? "application/json" : checkHeaderValue("type", type);
            int size = intParameter(request, "size", 0, 0, MAX_SIZE);
            int sleepMillis = intParameter(request, "sleep_ms", 0, 0, MAX_SLEEP_MS);
            List<String[]> headers = new ArrayList<>();
            String[] values = request.getParameterValues("header");
            for (String value : values == null ? new String[0] : values) {
                int colon = value.indexOf(':');
                if (colon <= 0 || !isToken(value.substring(0, colon))) {
                    throw new IllegalArgumentException("header: no field name before ':' (expected: Name:Value)");
                }
                headers.add(new String[] {
                    value.substring(0, colon),
                    checkHeaderValue("header", value.substring(colon + 1).strip())
                });
            }
            return new Shape(status, contentType, size, headers, sleepMillis);
        }

        private static int intParameter(HttpServletRequest request, String name, int absent, int min, int max) {
            String value = request.getParameter(name);
            if (value == null) {
                return absent;
            }
            try {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    name + ": " + value + " (expected: an integer in " + min + ".." + max + ")");
        }

        private static String checkHeaderValue(String parameter, String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    throw new IllegalArgumentException(parameter + ": a control or non-Latin-1 character at index " + i
                            + " (expected: a valid header value)");
                }
            }
            return value;
        }

        private static boolean isToken(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= 0x20 || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
