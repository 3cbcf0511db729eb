package dev.gatehouse.compression;

import static dev.gatehouse.internal.Checks.checkArgument;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Problem;
import dev.gatehouse.RequestBody;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes request bodies sent with {@code Content-Encoding: gzip} or {@code deflate}, so that services
 * receive plain bytes. Off unless this policy is in the chain; place it after authentication and rate
 * limiting, so that unauthenticated floods are never inflated.
 *
 * <ul>
 *   <li>The chain buffers the wire body of such requests, up to {@code maxWireBytes} (1 MiB by default; more →
 *       the chain's 413); other requests stream untouched.
 *   <li>Inflation stops as soon as the inflated size passes {@code maxInflatedBytes} (8 MiB by default) or
 *       {@code maxRatio} times the wire size (100 by default): 413, after inflating at most one block past
 *       the limit, whatever the bomb would have grown to.
 *   <li>Truncated streams, bad CRC or ISIZE, trailing garbage and malformed headers → 400.
 *   <li>Stacked codings ({@code gzip, gzip}, at most {@code maxLayers}, 2 by default) are all decoded under
 *       one shared cap; an unsupported coding → 415 with {@code Accept-Encoding: gzip, deflate}.
 *   <li>The service sees no {@code Content-Encoding}, a {@code Content-Length} of the inflated body and the
 *       exact original bytes.
 * </ul>
 */
public final class RequestDecompressionPolicy implements OffloadPolicy {
    private final int maxWireBytes;
    private final int maxInflatedBytes;
    private final int maxRatio;
    private final int maxLayers;

    private RequestDecompressionPolicy(Builder builder) {
        this.maxWireBytes = builder.maxWireBytes;
        this.maxInflatedBytes = builder.maxInflatedBytes;
        this.maxRatio = builder.maxRatio;
        this.maxLayers = builder.maxLayers;
    }

    public static RequestDecompressionPolicy ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The body is read only for requests with codings this policy can undo: other requests stream. */
    @Override
    public int requestBodyLimit(Exchange exchange) {
        List<String> codings = codings(exchange.requestHeaders());
        return !codings.isEmpty() && supported(codings) && codings.size() <= maxLayers ? maxWireBytes : 0;
    }

    @Override
    public int requestBodyLimit() {
        return maxWireBytes;
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        List<String> codings = codings(exchange.requestHeaders());
        if (codings.isEmpty()) {
            return Decision.proceed();
        }
        for (String coding : codings) {
            if (!coding.equals("gzip") && !coding.equals("deflate")) {
                return unsupported(
                        "Content-Encoding " + coding + " is not supported.", "unsupported coding " + printable(coding));
            }
        }
        if (codings.size() > maxLayers) {
            return unsupported(
                    "At most " + maxLayers + " stacked content codings are accepted.",
                    codings.size() + " stacked codings");
        }
        RequestBody wire = exchange.body()
                .orElseThrow(() -> new IllegalStateException(
                        "decompression: the request body was not buffered (expected: a PolicyChain buffers it before"
                                + " onRequest, as requestBodyLimit(exchange) asks)"));
        if (wire.length() == 0) {
            // No body (a GET, a POST with Content-Length: 0): nothing was encoded, so nothing is malformed.
            return Decision.proceed(Headers.empty(), List.of("Content-Encoding"))
                    .because("no body to inflate");
        }
        byte[] inflated;
        try {
            inflated =
                    new BoundedInflation(wire.length(), maxInflatedBytes, maxRatio).decode(codings, wire.toByteArray());
        } catch (BoundedInflation.Refusal refusal) {
            return Decision.reject(refusal.status, refusal.detail).because(refusal.getMessage());
        }
        exchange.replaceBody(RequestBody.wrap(inflated, inflated.length));
        return Decision.proceed(Headers.empty(), List.of("Content-Encoding"))
                .because("inflated " + String.join(",", codings) + " " + wire.length() + " -> " + inflated.length
                        + " bytes");
    }

    /** The codings of {@code Content-Encoding}, in the order applied; {@code identity} left out. */
    private static List<String> codings(Headers request) {
        List<String> fields = request.all("Content-Encoding");
        if (fields.isEmpty()) {
            return List.of();
        }
        List<String> codings = new ArrayList<>();
        for (String field : fields) {
            for (String coding : field.split(",")) {
                String name = coding.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("identity")) {
                    codings.add(name.equals("x-gzip") ? "gzip" : name);
                }
            }
        }
        return codings;
    }

    private static boolean supported(List<String> codings) {
        return codings.stream().allMatch(coding -> coding.equals("gzip") || coding.equals("deflate"));
    }

    private static Decision unsupported(String detail, String reason) {
        return Decision.reject(Problem.of(415, detail), Headers.of("Accept-Encoding", "gzip, deflate"))
                .because(reason);
    }

    private static String printable(String text) {
        return dev.gatehouse.internal.Printable.of(text, 40);
    }

    @Override
    public String name() {
        return "decompression";
    }

    public static final class Builder {
        private int maxWireBytes = 1024 * 1024;
        private int maxInflatedBytes = 8 * 1024 * 1024;
        private int maxRatio = 100;
        private int maxLayers = 2;

        private Builder() {}

        public Builder maxWireBytes(int maxWireBytes) {
            checkArgument(maxWireBytes > 0, "maxWireBytes: %s (expected: > 0)", maxWireBytes);
            this.maxWireBytes = maxWireBytes;
            return this;
        }

        public Builder maxInflatedBytes(int maxInflatedBytes) {
            checkArgument(maxInflatedBytes > 0, "maxInflatedBytes: %s (expected: > 0)", maxInflatedBytes);
            this.maxInflatedBytes = maxInflatedBytes;
            return this;
        }

        /** The largest inflated/wire size ratio accepted; 100 by default. */
        public Builder maxRatio(int maxRatio) {
            checkArgument(maxRatio >= 1, "maxRatio: %s (expected: >= 1)", maxRatio);
            this.maxRatio = maxRatio;
            return this;
        }

        public Builder maxLayers(int maxLayers) {
            checkArgument(maxLayers >= 1 && maxLayers <= 4, "maxLayers: %s (expected: 1..4)", maxLayers);
            this.maxLayers = maxLayers;
            return this;
        }

        public RequestDecompressionPolicy build() {
            return new RequestDecompressionPolicy(this);
        }
    }
}
