package dev.gatehouse.requestid;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.TraceContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Gives every exchange a request id and a W3C trace context.
 *
 * <p>A valid incoming {@code X-Request-Id} (one field, at most {@code maxLength} characters of letters,
 * digits and {@code - _ . : + / = @ ~}) is kept; a missing or invalid one is replaced by a generated id. The
 * id is passed to the service, recorded as {@link Exchange#REQUEST_ID}, and echoed on every response, refusals
 * included. Each exchange is a span of the W3C trace: with a valid {@code traceparent} the service receives the
 * same trace id and flags with this exchange's span id (and the {@code tracestate} as sent); otherwise a new
 * trace is started (and an orphaned {@code tracestate} dropped). Both are recorded as {@link TraceContext#KEY},
 * which the access log writes as {@code trace_id}, {@code span_id} and {@code parent_id}. With the OpenTelemetry
 * API on the class path and a current span (the Java agent's server span, say), that span is the exchange's.
 *
 * <p>Put it first in the chain so that every other policy and every response sees the id.
 */
public final class RequestIdPolicy implements OffloadPolicy {
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";

    private final String headerName;
    private final int maxLength;
    private final Supplier<String> idGenerator;
    private final boolean sampleStartedTraces;

    private RequestIdPolicy(Builder builder) {
        this.headerName = builder.headerName;
        this.maxLength = builder.maxLength;
        this.idGenerator = builder.idGenerator;
        this.sampleStartedTraces = builder.sampleStartedTraces;
    }

    /** {@code X-Request-Id}, at most 128 characters, random 128-bit hex ids, started traces sampled. */
    public static RequestIdPolicy ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        Headers client = exchange.requestHeaders();
        int sent = client.count(headerName);
        String sentId = sent == 1 ? client.first(headerName).orElseThrow() : "";
        boolean kept = sent == 1 && isValid(sentId);
        String id = kept ? sentId : idGenerator.get();
        exchange.setAttribute(Exchange.REQUEST_ID, id);

        Optional<String> traceparent = client.count(TRACEPARENT) == 1
                ? TraceContext.validTraceparent(client.first(TRACEPARENT).orElseThrow())
                : Optional.empty();
        List<String> removed = List.of();
        String upstreamTrace;
        Optional<String> current = OpenTelemetrySpans.currentTraceparent();
        if (current.isPresent()) {
            // The OpenTelemetry Java agent (or an SDK) made a span for this exchange: it is the exchange's span, so
            // that logs, the service and the tracing backend tell one story.
            upstreamTrace = current.get();
            boolean continued = traceparent.isPresent() && traceparent.get().regionMatches(3, upstreamTrace, 3, 32);
            exchange.setAttribute(
                    TraceContext.KEY,
                    new TraceContext(
                            upstreamTrace, continued ? traceparent.get().substring(36, 52) : null, !continued));
            removed = continued || !client.contains(TRACESTATE) ? List.of() : List.of(TRACESTATE);
        } else if (traceparent.isPresent()) {
            String caller = traceparent.get();
            // Same trace and flags, this exchange's span as the parent of the service's.
            byte[] child = caller.getBytes(StandardCharsets.ISO_8859_1);
            fillHex(child, 36, 16);
            upstreamTrace = new String(child, StandardCharsets.ISO_8859_1);
            exchange.setAttribute(TraceContext.KEY, new TraceContext(upstreamTrace, caller.substring(36, 52), false));
        } else {
            byte[] started = STARTED.clone();
            fillHex(started, 3, 32);
            fillHex(started, 36, 16);
            started[54] = (byte) (sampleStartedTraces ? '1' : '0');
            upstreamTrace = new String(started, StandardCharsets.ISO_8859_1);
            exchange.setAttribute(TraceContext.KEY, new TraceContext(upstreamTrace, null, true));
            removed = client.contains(TRACESTATE) ? List.of(TRACESTATE) : List.of();
        }
        Decision.Proceed proceed = Decision.proceed(Headers.of(headerName, id, TRACEPARENT, upstreamTrace), removed);
        return kept || sent == 0 ? proceed : proceed.because("replaced invalid " + headerName);
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        exchange.attribute(Exchange.REQUEST_ID).ifPresent(id -> response.setHeader(headerName, id));
    }

    boolean isValid(String id) {
        if (id.isEmpty() || id.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean safe =
                    c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.:+/=@~".indexOf(c) >= 0;
            if (!safe) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 lower-case hex digits: unique, not a secret. */
    public static String randomId() {
        byte[] hex = new byte[32];
        fillHex(hex, 0, 32);
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    /** A started trace's {@code traceparent}, its ids to fill in: version 00, trace id, span id, flags. */
    private static final byte[] STARTED =
            "00-00000000000000000000000000000000-0000000000000000-00".getBytes(StandardCharsets.ISO_8859_1);

    /** Random lower-case hex digits into {@code into[from, from + digits)}, never all zeros (an invalid id). */
    private static void fillHex(byte[] into, int from, int digits) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long bits = 0;
        for (int i = 0; i < digits; i++) {
            if (i % 16 == 0) {
                bits = random.nextLong();
                if (i == 0 && bits == 0) {
                    bits = 1;
                }
            }
            into[from + i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
    }

    @Override
    public String toString() {
        return "RequestIdPolicy[" + headerName + ", maxLength=" + maxLength + "]";
    }

    /** Builds a {@link RequestIdPolicy}. */
    /** Fields the request id must never take over. */
    private static final java.util.Set<String> NOT_AN_ID_FIELD = java.util.Set.of(
            "authorization",
            "proxy-authorization",
            "cookie",
            "set-cookie",
            "host",
            "content-type",
            "content-encoding",
            "location",
            "www-authenticate");

    public static final class Builder {
        private String headerName = "X-Request-Id";
        private int maxLength = 128;
        private Supplier<String> idGenerator = RequestIdPolicy::randomId;
        private boolean sampleStartedTraces = true;

        private Builder() {}

        /**
         * The field the id is read from and written to, both ways; never a framing or hop-by-hop field, nor one that
         * carries credentials or names the host (the id would replace them, and land in every log line).
         */
        public Builder headerName(String headerName) {
            String name = Headers.checkName(headerName);
            checkArgument(
                    !PolicyChain.isHostOwned(name)
                            && !NOT_AN_ID_FIELD.contains(name.toLowerCase(java.util.Locale.ROOT)),
                    "headerName: %s (expected: a field of its own, e.g. X-Request-Id)",
                    name);
            this.headerName = name;
            return this;
        }

        public Builder maxLength(int maxLength) {
            checkArgument(maxLength >= 16 && maxLength <= 1024, "maxLength: %s (expected: 16..1024)", maxLength);
            this.maxLength = maxLength;
            return this;
        }

        /** How new ids are made; the generator must return valid ids. */
        public Builder idGenerator(Supplier<String> idGenerator) {
            this.idGenerator = requireNonNull(idGenerator, "idGenerator");
            return this;
        }

        /** Whether traces started here carry the sampled flag (true by default, like a root span). */
        public Builder sampleStartedTraces(boolean sample) {
            this.sampleStartedTraces = sample;
            return this;
        }

        public RequestIdPolicy build() {
            return new RequestIdPolicy(this);
        }
    }
}
