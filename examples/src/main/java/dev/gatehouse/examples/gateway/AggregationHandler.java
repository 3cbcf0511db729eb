package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * An aggregation route: calls every part's upstream in parallel (GET, each bounded by {@code timeout}) and answers
 * one JSON object with each part's JSON body under its name. A part that fails, times out, answers non-2xx or
 * anything but one JSON value (empty, or with bytes after it), or sends more than {@link #MAX_PART_BYTES} becomes
 * {@code null}, and {@code X-Gatehouse-Partial} names
 * the missing parts; when every part is missing the answer is 502. A part past its timeout or its size is aborted,
 * so nothing more of it is read. The request id, trace context and the identity headers the route's policies set
 * are passed to every part. The calls go through the gateway's upstream client; no thread waits for them. Only GET
 * and HEAD are answered (405 otherwise).
 */
final class AggregationHandler extends Handler.Abstract.NonBlocking {
    /** Parts are whole JSON documents: trailing bytes after the value make a part missing. */
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** The most of one part that is read: parts are held whole to be merged. */
    static final int MAX_PART_BYTES = 4 * 1024 * 1024;

    private static final List<String> PASSED = List.of("x-request-id", "traceparent", "tracestate", "accept-language");

    private final Map<String, URI> parts;
    private final Duration timeout;
    private final HttpClient client;
    private final List<String> passed;

    /**
     * @param identityHeaders the identity headers the route's policies may set, passed to the parts with the
     *     request id and trace context
     */
    AggregationHandler(HttpClient client, Map<String, URI> parts, Duration timeout, Set<String> identityHeaders) {
        this.client = client;
        this.parts = new LinkedHashMap<>(parts);
        this.timeout = timeout;
        List<String> names = new ArrayList<>(PASSED);
        names.addAll(identityHeaders);
        this.passed = List.copyOf(names);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            // The parts are read with GET: another method would be answered as if it had been done.
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            Problems.write(response, callback, 405, method + " is not allowed on an aggregation.", null);
            return true;
        }
        Map<String, CompletableFuture<JsonNode>> calls = new LinkedHashMap<>();
        parts.forEach((name, uri) -> {
            CompletableFuture<JsonNode> part = new CompletableFuture<>();
            client.newRequest(uri)
                    .method(HttpMethod.GET)
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(fields -> {
                        for (String header : passed) {
                            String value = request.getHeaders().get(header);
                            if (value != null) {
                                fields.put(header, value);
                            }
                        }
                    })
                    .send(new BufferingResponseListener(MAX_PART_BYTES) {
                        @Override
                        public void onComplete(Result result) {
                            part.complete(
                                    result.isFailed()
                                            ? null
                                            : json(result.getResponse().getStatus(), getContent()));
                        }
                    });
            calls.put(name, part);
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

    /** The part's JSON, or null when it is not a 2xx or not JSON. */
    private static @Nullable JsonNode json(int status, byte[] body) {
        if (status / 100 != 2) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(body);
            // An empty body is no JSON value (Jackson's MissingNode): the part is missing, and named so.
            return json == null || json.isMissingNode() ? null : json;
        } catch (IOException e) {
            return null;
        }
    }
}
