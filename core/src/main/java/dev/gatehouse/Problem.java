package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An RFC 9457 problem detail, the body of every refusal: {@code application/problem+json}.
 *
 * <p>The {@code detail} is shown to the client; keep reasons meant for operators (which key, which claim)
 * in the decision's log reason instead.
 *
 * @param type a URI reference identifying the problem type; {@code about:blank} when the status says it all
 * @param status the HTTP status
 * @param title a short summary; for {@code about:blank} the status phrase
 * @param detail an explanation for this occurrence, if any
 * @param extensions further members: strings, numbers, booleans or collections of those
 */
public record Problem(String type, int status, String title, Optional<String> detail, Map<String, Object> extensions) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        requireNonNull(type, "type");
        requireNonNull(title, "title");
        requireNonNull(detail, "detail");
        checkArgument(status >= 400 && status <= 599, "status: %s (expected: 400..599)", status);
        extensions = Map.copyOf(extensions);
        for (String member : extensions.keySet()) {
            checkArgument(
                    !member.equals("type")
                            && !member.equals("status")
                            && !member.equals("title")
                            && !member.equals("detail"),
                    "extension: %s (expected: not a standard member)",
                    member);
        }
    }

    /** An {@code about:blank} problem titled with the status phrase. */
    public static Problem of(int status) {
        return new Problem("about:blank", status, reasonPhrase(status), Optional.empty(), Map.of());
    }

    /** An {@code about:blank} problem titled with the status phrase, with a detail for the client. */
    public static Problem of(int status, String detail) {
        return new Problem("about:blank", status, reasonPhrase(status), Optional.of(detail), Map.of());
    }

    public Problem withType(String type, String title) {
        return new Problem(type, status, title, detail, extensions);
    }

    public Problem withDetail(String detail) {
        return new Problem(type, status, title, Optional.of(detail), extensions);
    }

    public Problem with(String member, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(member, value);
        return new Problem(type, status, title, detail, more);
    }

    /** The JSON document, UTF-8. */
    public byte[] toJson() {
        StringBuilder json = new StringBuilder(128).append('{');
        member(json, "type", type).append(',');
        member(json, "title", title).append(',');
        appendString(json, "status").append(':').append(status);
        detail.ifPresent(text -> member(json.append(','), "detail", text));
        extensions.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> appendValue(
                        appendString(json.append(','), entry.getKey()).append(':'), entry.getValue()));
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** This problem as a complete response with the given extra headers. */
    public StoredResponse toResponse(Headers headers) {
        Headers all = headers.copy();
        all.set("Content-Type", MEDIA_TYPE);
        all.set("Cache-Control", "no-store");
        return StoredResponse.of(status, all, toJson());
    }

    private static StringBuilder member(StringBuilder json, String name, String value) {
        return appendString(appendString(json, name).append(':'), value);
    }

    private static void appendValue(StringBuilder json, Object value) {
        if (value instanceof Number || value instanceof Boolean) {
            json.append(value);
        } else if (value instanceof Collection<?> items) {
            json.append('[');
            boolean first = true;
            for (Object item : items) {
                appendValue(first ? json : json.append(','), item);
                first = false;
            }
            json.append(']');
        } else {
            appendString(json, String.valueOf(value));
        }
    }

    private static StringBuilder appendString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }

    /** The RFC 9110 reason phrase of a client or server error status. */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Range Not Satisfiable";
            case 417 -> "Expectation Failed";
            case 421 -> "Misdirected Request";
            case 422 -> "Unprocessable Content";
            case 428 -> "Precondition Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> status < 500 ? "Client Error" : "Server Error";
        };
    }
}
