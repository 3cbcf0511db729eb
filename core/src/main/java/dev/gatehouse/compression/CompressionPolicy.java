package dev.gatehouse.compression;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Compresses response bodies while they stream, with the coding the client prefers among {@code gzip},
 * {@code deflate}, and {@code br} or {@code zstd} when brotli4j or zstd-jni are on the classpath (server order
 * breaks ties).
 *
 * <p>A response is compressed when all of these hold: the client accepts a supported coding; the status is
 * 200–599 except 204, 206 and 304, and the request has no {@code Range}; the response has no {@code
 * Content-Encoding} and no {@code Cache-Control: no-transform} (RFC 9110 §7.7: a proxy must not transform it);
 * its media type is compressible (text, JSON, XML, JavaScript, SVG … by default; never images, audio, video or
 * archives); its {@code Content-Length}, when known, is at least {@code minSize} (256 bytes by default); and the
 * route or the exchange is not excluded (the BREACH switches).
 *
 * <p>Every compressible response, compressed or not, gets {@code Vary: Accept-Encoding} merged into its
 * {@code Vary}. A compressed response loses its {@code Content-Length}, and a strong {@code ETag} {@code "v"}
 * becomes {@code "v--gzip"}; conditional request headers naming that tag are turned back into {@code "v"}
 * before they reach the service, so {@code If-None-Match} still yields 304. HEAD gets the headers GET would.
 * Flushes pass through as sync flushes, so server-sent events keep flowing. Deflaters come from bounded pools.
 */
public final class CompressionPolicy implements OffloadPolicy {
    private static final AttributeKey<String> CODING = AttributeKey.of("gatehouse.compression.coding", String.class);
    private static final String NOT_ELIGIBLE = "";

    private final List<String> codings;
    private final int minSize;
    private final Predicate<Exchange> excluded;
    private final boolean skipCredentialed;
    private final CompressionRules rules;
    private final ResponseEncoders encoders;

    private CompressionPolicy(Builder builder) {
        this.codings = List.copyOf(builder.codings);
        this.minSize = builder.minSize;
        this.excluded = builder.excluded;
        this.skipCredentialed = builder.skipCredentialed;
        this.rules = new CompressionRules(builder.compressTypes, builder.skipTypes, codings);
        this.encoders = new ResponseEncoders(builder.level, builder.poolSize);
    }

    /** br and zstd (when available), gzip, deflate; level 1; 256-byte minimum; default media types. */
    public static CompressionPolicy ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        Headers request = exchange.requestHeaders();
        if (excluded.test(exchange) || (skipCredentialed && hasCredentials(request))) {
            exchange.setAttribute(CODING, NOT_ELIGIBLE);
            return Decision.proceed();
        }
        Optional<String> coding =
                AcceptEncoding.parse(request.all("Accept-Encoding")).select(codings);
        exchange.setAttribute(CODING, coding.orElse("identity"));
        Headers restored = null;
        for (String name : List.of("If-None-Match", "If-Match")) {
            List<String> values = request.all(name);
            List<String> plain = new ArrayList<>(values.size());
            boolean changed = false;
            for (String value : values) {
                String stripped = rules.stripCodingSuffixes(value);
                changed |= !stripped.equals(value);
                plain.add(stripped);
            }
            if (changed) {
                restored = restored == null ? Headers.create() : restored;
                for (String value : plain) {
                    restored.add(name, value);
                }
            }
        }
        return restored == null ? Decision.proceed() : Decision.proceed(restored);
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        String coding = exchange.attribute(CODING).orElse(NOT_ELIGIBLE);
        if (coding.equals(NOT_ELIGIBLE) || !rules.eligible(exchange, response)) {
            return;
        }
        response.addVary("Accept-Encoding");
        if (coding.equals("identity")) {
            return;
        }
        int status = response.status();
        Headers headers = response.headers();
        if (status == 304) {
            headers.first("ETag")
                    .ifPresent(tag -> response.setHeader("ETag", CompressionRules.withCoding(tag, coding)));
            return;
        }
        long length = headers.first("Content-Length")
                .map(CompressionPolicy::parseLength)
                .orElse(-1L);
        if (length >= 0 && length < minSize) {
            return;
        }
        boolean head = exchange.method().equals("HEAD");
        if (!head && !response.bodyTransformable()) {
            return;
        }
        response.setHeader("Content-Encoding", coding);
        response.removeHeader("Content-Length");
        headers.first("ETag").ifPresent(tag -> response.setHeader("ETag", CompressionRules.withCoding(tag, coding)));
        if (head) {
            return;
        }
        response.transformBody(out -> encoders.wrap(coding, out));
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean hasCredentials(Headers request) {
        return request.contains("Authorization") || request.contains("Cookie");
    }

    /**
     * How many native deflaters (gzip and deflate) this policy has constructed so far: after warm-up it stays
     * put while responses are compressed, since the pools reuse them.
     */
    public long deflatersCreated() {
        return encoders.gzipPool().created() + encoders.deflatePool().created();
    }

    DeflaterPool gzipPool() {
        return encoders.gzipPool();
    }

    DeflaterPool deflatePool() {
        return encoders.deflatePool();
    }

    @Override
    public String name() {
        return "compression";
    }

    @Override
    public String toString() {
        return "CompressionPolicy" + codings;
    }

    public static final class Builder {
        private List<String> codings = defaultCodings();
        private int level = 1;
        private int minSize = 256;
        private int poolSize = 64;
        private List<String> compressTypes = List.of(
                "text/*",
                "application/json",
                "*/*+json",
                "application/x-ndjson",
                "application/javascript",
                "application/xml",
                "*/*+xml",
                "image/svg+xml",
                "application/wasm");
        private List<String> skipTypes = List.of("text/event-stream");
        private Predicate<Exchange> excluded = exchange -> false;
        private boolean skipCredentialed;

        private Builder() {}

        /** br and zstd first when their bindings are present (smaller bodies for clients that take them). */
        private static List<String> defaultCodings() {
            List<String> codings = new ArrayList<>();
            for (String optional : List.of("br", "zstd")) {
                if (OptionalCodings.available(optional)) {
                    codings.add(optional);
                }
            }
            codings.add("gzip");
            codings.add("deflate");
            return List.copyOf(codings);
        }

        /**
         * The codings offered, in server preference order (the order breaks ties between codings the client
         * weighs equally): {@code gzip}, {@code deflate}, and {@code br} (brotli4j) or {@code zstd} (zstd-jni)
         * when their bindings are on the classpath.
         */
        public Builder codings(String... codings) {
            checkArgument(codings.length > 0, "codings: none (expected: gzip, deflate, br or zstd)");
            for (String coding : codings) {
                checkArgument(
                        coding.equals("gzip")
                                || coding.equals("deflate")
                                || coding.equals("br")
                                || coding.equals("zstd"),
                        "coding: %s (expected: gzip, deflate, br or zstd)",
                        coding);
                checkArgument(
                        !(coding.equals("br") || coding.equals("zstd")) || OptionalCodings.available(coding),
                        "coding: %s is not available (expected: %s on the classpath, with its native library)",
                        coding,
                        coding.equals("br") ? "com.aayushatharva.brotli4j:brotli4j" : "com.github.luben:zstd-jni");
            }
            this.codings = List.of(codings);
            return this;
        }

        /**
         * The deflate level, 1 (fastest, the default, as in nginx) to 9. At level 1 a gzip or deflate body of up to
         * 32 KiB that ends before any flush is encoded whole in Java instead of by zlib: with dynamic codes, within a
         * few percent of zlib's level 1 for half to nine tenths of its CPU; short or very repetitive bodies (at most
         * 2,048 symbols) with the fixed codes, a fifth of zlib's CPU or less for about a fifth more bytes on JSON.
         * Level 2 and up always use zlib.
         */
        public Builder level(int level) {
            checkArgument(level >= 1 && level <= 9, "level: %s (expected: 1..9)", level);
            this.level = level;
            return this;
        }

        /** Responses whose Content-Length is below this are sent as they are; 256 by default. */
        public Builder minSize(int minSize) {
            checkArgument(minSize >= 0, "minSize: %s (expected: >= 0)", minSize);
            this.minSize = minSize;
            return this;
        }

        /** How many idle deflaters of each format are kept for reuse; 64 by default. */
        public Builder poolSize(int poolSize) {
            checkArgument(poolSize > 0, "poolSize: %s (expected: > 0)", poolSize);
            this.poolSize = poolSize;
            return this;
        }

        /** The media types to compress: {@code type/subtype}, {@code type/*} or {@code *}{@code /*+suffix}. */
        public Builder compressTypes(String... patterns) {
            this.compressTypes = List.of(patterns);
            return this;
        }

        /**
         * Media types never compressed, even when {@link #compressTypes} matches them; {@code text/event-stream}
         * by default, so server-sent events reach the client exactly as the service flushes them. Setting this
         * replaces the default: {@code skipTypes()} compresses event streams too (each flush a sync flush).
         */
        public Builder skipTypes(String... patterns) {
            this.skipTypes = List.of(patterns);
            return this;
        }

        /**
         * Exchanges never compressed: the BREACH switch for responses that reflect input next to secrets. Put
         * no compression policy in a route's chain to turn it off for the whole route.
         */
        public Builder exclude(Predicate<Exchange> excluded) {
            this.excluded = requireNonNull(excluded, "excluded");
            return this;
        }

        /** Never compresses responses to requests that carry credentials ({@code Authorization}, {@code Cookie}). */
        public Builder skipCredentialedRequests() {
            this.skipCredentialed = true;
            return this;
        }

        public CompressionPolicy build() {
            return new CompressionPolicy(this);
        }
    }
}
