package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An aggregation route: calls every part's upstream in parallel (GET, each bounded by {@code timeout}) and answers
 * one JSON object with each part's JSON body under its name. A part that fails, times out, answers non-2xx or
 * non-JSON becomes {@code null}, and {@code X-Gatehouse-Partial} names the missing parts; when every part is missing
 * the answer is 502. The request id, trace context and identity headers set by the route's policies are passed to
 * every part. The response is written when the last part has answered; no thread waits for them.
 */
final class AggregationHandler extends Handler.Abstract.NonBlocking {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PASSED = Set.of(
            "x-request-id",
            "traceparent",
            "tracestate",
            "x-user-id",
            "x-tenant-id",
            "x-scopes",
            "x-plan",
            "accept-language");

    private final Map<String, URI> parts;
    private final Duration timeout;
    private final HttpClient client;

    AggregationHandler(Map<String, URI> parts, Duration timeout) {
        this.parts = new LinkedHashMap<>(parts);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Map<String, CompletableFuture<JsonNode>> calls = new LinkedHashMap<>();
        parts.forEach((name, uri) -> {
            HttpRequest.Builder call =
                    HttpRequest.newBuilder(uri).timeout(timeout).GET();
            for (String header : PASSED) {
                String value = request.getHeaders().get(header);
                if (value != null) {
                    call.header(header, value);
                }
            }
            calls.put(
                    name,
                    client.sendAsync(call.build(), HttpResponse.BodyHandlers.ofByteArray())
                            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .thenApply(AggregationHandler::json)
                            .exceptionally(failure -> null));
        });
        CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new))
                .whenComplete((ignored, failure) -> answer(calls, response, callback));
        return true;
    }

    private void answer(Map<String, CompletableFuture<JsonNode>> calls, Response response, Callback callback) {
        ObjectNode merged = JSON.createObjectNode();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<JsonNode>> call : calls.entrySet()) {
            JsonNode body = call.getValue().join();
            if (body == null) {
                missing.add(call.getKey());
                merged.putNull(call.getKey());
            } else {
                merged.set(call.getKey(), body);
            }
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(merged);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(missing.size() == parts.size() ? 502 : 200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (!missing.isEmpty()) {
            response.getHeaders().put("X-Gatehouse-Partial", String.join(",", missing));
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("status " + response.statusCode());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON", e);
        }
    }
}
