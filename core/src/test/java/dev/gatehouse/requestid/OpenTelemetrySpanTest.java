package dev.gatehouse.requestid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.TraceContext;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With a real OpenTelemetry SDK making the server span current — as the Java agent does around a handler — the
 * exchange's span is that span: the service and the access log see the tracing backend's ids.
 */
class OpenTelemetrySpanTest {
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exported))
            .build();
    private final Tracer tracer = provider.get("gatehouse-test");
    private final AtomicReference<FakeExchange> seenByService = new AtomicReference<>();

    @AfterEach
    void close() {
        provider.close();
    }

    private void serveWithin(Span span, FakeExchange exchange) {
        try (Scope ignored = span.makeCurrent()) {
            FakeHost.serve(PolicyChain.of(RequestIdPolicy.ofDefaults()), exchange, e -> {
                seenByService.set((FakeExchange) e);
                return FakeResponse.ok("ok");
            });
        } finally {
            span.end();
        }
    }

    @Test
    void theCurrentServerSpanIsTheExchangesSpan() {
        Span server = tracer.spanBuilder("GET /orders").startSpan();

        serveWithin(server, FakeExchange.get("/orders").header("tracestate", "orphan=1"));

        SpanContext context = server.getSpanContext();
        assertThat(seenByService.get().requestHeaders().first("traceparent"))
                .hasValue("00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                        + context.getTraceFlags().asHex());
        assertThat(seenByService.get().requestHeaders().contains("tracestate")).isFalse();
        TraceContext trace = seenByService.get().attribute(TraceContext.KEY).orElseThrow();
        assertThat(trace.traceId()).isEqualTo(context.getTraceId());
        assertThat(trace.spanId()).isEqualTo(context.getSpanId());
        assertThat(trace.parentId()).isNull();
        assertThat(exported.getFinishedSpanItems())
                .singleElement()
                .satisfies(span -> assertThat(span.getSpanId()).isEqualTo(trace.spanId()));
    }

    @Test
    void aCallersTraceContinuedByTheAgentKeepsTheCallerAsParent() {
        String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        Context remote = Context.root()
                .with(Span.wrap(SpanContext.createFromRemoteParent(
                        callerTrace, callerSpan, TraceFlags.getSampled(), TraceState.getDefault())));
        Span server = tracer.spanBuilder("GET /orders").setParent(remote).startSpan();

        serveWithin(
                server,
                FakeExchange.get("/orders")
                        .header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01")
                        .header("tracestate", "vendor=1"));

        TraceContext trace = seenByService.get().attribute(TraceContext.KEY).orElseThrow();
        assertThat(trace.traceId()).isEqualTo(callerTrace);
        assertThat(trace.spanId()).isEqualTo(server.getSpanContext().getSpanId());
        assertThat(trace.parentId()).isEqualTo(callerSpan);
        assertThat(seenByService.get().requestHeaders().all("tracestate")).containsExactly("vendor=1");
    }

    @Test
    void withoutACurrentSpanGatehouseMakesItsOwn() {
        FakeHost.serve(PolicyChain.of(RequestIdPolicy.ofDefaults()), FakeExchange.get("/orders"), e -> {
            seenByService.set((FakeExchange) e);
            return FakeResponse.ok("ok");
        });

        assertThat(seenByService.get().attribute(TraceContext.KEY))
                .hasValueSatisfying(trace -> assertThat(trace.started()).isTrue());
    }
}
