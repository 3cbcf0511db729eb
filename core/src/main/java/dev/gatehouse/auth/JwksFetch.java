package dev.gatehouse.auth;

import dev.gatehouse.internal.BoundedBodies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * One way to get an issuer's keys: a bounded GET of its JWKS URL, parsed as a fetched document (unusable keys
 * and HMAC secrets skipped, each with a warning naming it).
 */
final class JwksFetch {
    private final URI uri;
    private final HttpClient client;
    private final Duration timeout;
    private final int maxDocumentBytes;
    private final Logger log;

    JwksFetch(URI uri, HttpClient client, Duration timeout, int maxDocumentBytes, Logger log) {
        this.uri = uri;
        this.client = client;
        this.timeout = timeout;
        this.maxDocumentBytes = maxDocumentBytes;
        this.log = log;
    }

    /** The usable keys; fails on a transport error, the timeout, a status other than 200 or a bad document. */
    CompletableFuture<List<JwtKey>> keys() {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        return client.sendAsync(request, BoundedBodies.upTo(maxDocumentBytes))
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(this::parse);
    }

    private List<JwtKey> parse(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("status " + response.statusCode() + " (expected: 200)");
        }
        byte[] body = response.body();
        if (body.length == 0 || body.length > maxDocumentBytes) {
            throw new IllegalStateException(
                    "document of " + body.length + " bytes (expected: 1.." + maxDocumentBytes + ")");
        }
        Jwks.Parsed parsed = Jwks.parse(new String(body, StandardCharsets.UTF_8), Jwks.Origin.FETCHED);
        for (String skipped : parsed.skipped()) {
            log.warn("JWKS {}: skipped {}", uri, skipped);
        }
        if (parsed.keys().isEmpty()) {
            throw new IllegalStateException("no usable signing key");
        }
        return parsed.keys();
    }
}
