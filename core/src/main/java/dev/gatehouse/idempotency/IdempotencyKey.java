package dev.gatehouse.idempotency;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The value of an {@code Idempotency-Key} field: 1 to 255 characters of printable ASCII (space included), as the
 * client chose them. Treated as opaque: the policy only ever stores a digest of it.
 */
public record IdempotencyKey(String value) {
    /** The longest key accepted, as Stripe's limit. */
    public static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        requireNonNull(value, "value");
        checkArgument(
                !value.isEmpty()
                        && value.length() <= MAX_LENGTH
                        && value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e),
                "value: %s (expected: 1..%s printable ASCII characters)",
                value.length() > 40 ? value.substring(0, 40) + "…" : value,
                MAX_LENGTH);
    }

    /**
     * The key in a field value: a structured-field Item (RFC 8941) whose bare item is a string ({@code
     * "8e03978e-40d5"}, with {@code \"} and {@code \\} escapes) or — leniently, since many clients send one — a
     * token ({@code order-8e03978e}). Parameters ({@code "abc";p=1}) are checked for syntax and ignored. Empty
     * when the value is anything else: empty, a list, non-ASCII, malformed, or a key longer than 255.
     */
    public static Optional<IdempotencyKey> parse(String fieldValue) {
        Parser parser = new Parser(fieldValue.strip());
        @Nullable String key = parser.bareKey();
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH || !parser.parameters()) {
            return Optional.empty();
        }
        return Optional.of(new IdempotencyKey(key));
    }

    /** A cursor over one field value; each method consumes what it recognises, or answers null / false. */
    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        /** The item's bare item: an sf-string's content or a token. */
        @Nullable
        String bareKey() {
            return peek() == '"' ? string() : token();
        }

        /** {@code *( ";" *SP key [ "=" bare-item ] )} to the end of the value. */
        boolean parameters() {
            while (at < text.length()) {
                if (text.charAt(at++) != ';') {
                    return false;
                }
                while (peek() == ' ') {
                    at++;
                }
                if (!parameterKey() || (peek() == '=' && !parameterValue())) {
                    return false;
                }
            }
            return true;
        }

        private @Nullable String string() {
            StringBuilder content = new StringBuilder();
            at++;
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return content.toString();
                }
                if (c == '\\') {
                    char escaped = peek();
                    if (escaped != '"' && escaped != '\\') {
                        return null;
                    }
                    content.append(escaped);
                    at++;
                } else if (c < 0x20 || c > 0x7e) {
                    return null;
                } else {
                    content.append(c);
                }
            }
            return null;
        }

        private @Nullable String token() {
            int start = at;
            char first = peek();
            if (!(isAlpha(first) || first == '*')) {
                return null;
            }
            at++;
            while (at < text.length() && isTokenChar(text.charAt(at))) {
                at++;
            }
            return text.substring(start, at);
        }

        private boolean parameterKey() {
            char first = peek();
            if (!((first >= 'a' && first <= 'z') || first == '*')) {
                return false;
            }
            at++;
            while (at < text.length() && isKeyChar(text.charAt(at))) {
                at++;
            }
            return true;
        }

        /** A bare item of any kind: integer, decimal, string, token, byte sequence or boolean. */
        private boolean parameterValue() {
            at++;
            char c = peek();
            if (c == '"') {
                return string() != null;
            }
            if (c == '?') {
                at++;
                char bit = peek();
                at++;
                return bit == '0' || bit == '1';
            }
            if (c == ':') {
                int end = text.indexOf(':', at + 1);
                if (end < 0 || !text.substring(at + 1, end).matches("[A-Za-z0-9+/=]*")) {
                    return false;
                }
                at = end + 1;
                return true;
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                int start = at;
                at++;
                while (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.')) {
                    at++;
                }
                return text.substring(start, at).matches("-?[0-9]{1,15}|-?[0-9]{1,12}\\.[0-9]{1,3}");
            }
            return token() != null;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private static boolean isAlpha(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        }

        private static boolean isTokenChar(char c) {
            return isAlpha(c) || (c >= '0' && c <= '9') || "!#$%&'*+.^_`|~:/-".indexOf(c) >= 0;
        }

        private static boolean isKeyChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*';
        }
    }
}
