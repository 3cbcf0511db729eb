package dev.gatehouse.idempotency;

import dev.gatehouse.Exchange;
import dev.gatehouse.RequestBody;
import dev.gatehouse.internal.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** What makes two requests with one key "the same request": method, path, query and body bytes, hashed. */
final class Fingerprints {
    private Fingerprints() {}

    /** SHA-256 hex of method, path, query and the body the chain buffered (raw bytes: reordered JSON differs). */
    static String of(Exchange exchange) {
        RequestBody body = exchange.body()
                .orElseThrow(() -> new IllegalStateException(
                        "idempotency: the request body was not buffered (expected: a PolicyChain buffers it before"
                                + " onRequest, as requestBodyLimit(exchange) asks)"));
        MessageDigest digest = Digests.sha256();
        digest.update(exchange.method().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(exchange.path().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(exchange.query().orElse("").getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        body.update(digest);
        return HexFormat.of().formatHex(digest.digest());
    }
}
