package dev.gatehouse.auth;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gatehouse.internal.BoundedBodies;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One RFC 7662 introspection call: a bounded POST of {@code token=…&token_type_hint=access_token} with the
 * gateway's client authentication, and the answer parsed into a {@link TokenInfo}. Anything but a 200 with a JSON
 * object whose {@code active} is a boolean fails the future: the endpoint is then treated as down.
 */
final class IntrospectionEndpoint {
    /** Strict: an answer with a member twice ({@code "active":false,"active":true}) or trailing text is garbage. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    /** What the endpoint said about one token; for an inactive token only {@code active} is meaningful. */
    record TokenInfo(
            boolean active,
            Optional<String> subject,
            Optional<String> clientId,
            Optional<String> scope,
            OptionalLong expiresAt,
            OptionalLong notBefore,
            Optional<String> issuer,
            List<String> audiences,
            Optional<String> tenant,
            Optional<String> plan) {
        static final TokenInfo INACTIVE = new TokenInfo(
                false,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty());
    }

    private final URI uri;
    private final HttpClient client;
    private final String authorization;
    private final Duration timeout;
    private final String tenantMember;
    private final String planMember;

    IntrospectionEndpoint(
            URI uri,
            HttpClient client,
            String authorization,
            Duration timeout,
            String tenantMember,
            String planMember) {
        this.uri = uri;
        this.client = client;
        this.authorization = authorization;
        this.timeout = timeout;
        this.tenantMember = tenantMember;
        this.planMember = planMember;
    }

    /** {@code Authorization: Basic} for client_secret_basic: both parts form-encoded first (RFC 6749 §2.3.1). */
    static String basic(String clientId, String clientSecret) {
        String pair = form(clientId) + ":" + form(clientSecret);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /** Asks about {@code token}; fails on a transport error, the timeout, a status other than 200 or a bad answer. */
    CompletableFuture<TokenInfo> introspect(String token) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "token=" + form(token) + "&token_type_hint=access_token", StandardCharsets.US_ASCII))
                .build();
        return client.sendAsync(request, BoundedBodies.upTo(MAX_ANSWER_BYTES))
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(this::parse);
    }

    private TokenInfo parse(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("status " + response.statusCode() + " (expected: 200)");
        }
        byte[] body = response.body();
        if (body.length == 0 || body.length > MAX_ANSWER_BYTES) {
            throw new IllegalStateException(
                    "answer of " + body.length + " bytes (expected: 1.." + MAX_ANSWER_BYTES + ")");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("answer is not JSON");
        }
        if (answer == null || !answer.isObject() || !answer.path("active").isBoolean()) {
            throw new IllegalStateException("answer is not a JSON object with a boolean active");
        }
        if (!answer.get("active").booleanValue()) {
            return TokenInfo.INACTIVE;
        }
        return new TokenInfo(
                true,
                text(answer, "sub"),
                text(answer, "client_id"),
                text(answer, "scope"),
                number(answer, "exp"),
                number(answer, "nbf"),
                text(answer, "iss"),
                audiences(answer.get("aud")),
                text(answer, tenantMember),
                text(answer, planMember));
    }

    private static Optional<String> text(JsonNode answer, String member) {
        JsonNode node = answer.get(member);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalStateException(member + " is not a string");
        }
        return Optional.of(node.textValue());
    }

    private static OptionalLong number(JsonNode answer, String member) {
        JsonNode node = answer.get(member);
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (!node.isNumber()) {
            throw new IllegalStateException(member + " is not a number");
        }
        return OptionalLong.of(node.longValue());
    }

    private static List<String> audiences(@Nullable JsonNode aud) {
        if (aud == null || aud.isNull()) {
            return List.of();
        }
        if (aud.isTextual()) {
            return List.of(aud.textValue());
        }
        List<String> audiences = new ArrayList<>();
        if (aud.isArray()) {
            for (JsonNode item : aud) {
                if (!item.isTextual()) {
                    throw new IllegalStateException("aud is not a string or an array of strings");
                }
                audiences.add(item.textValue());
            }
            return audiences;
        }
        throw new IllegalStateException("aud is not a string or an array of strings");
    }

    private static String form(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
