package dev.gatehouse.requestid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.TraceContext;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdPolicyTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final RequestIdPolicy policy =
            RequestIdPolicy.builder().idGenerator(() -> "generated-1").build();
    private final AtomicReference<FakeExchange> seenByService = new AtomicReference<>();

    private FakeResponse serve(FakeExchange exchange) {
        return FakeHost.serve(PolicyChain.of(policy), exchange, e -> {
            seenByService.set((FakeExchange) e);
            return FakeResponse.ok("ok");
        });
    }

    @Test
    void keepsAValidIncomingIdPassesItOnAndEchoesIt() {
        FakeResponse response = serve(FakeExchange.get("/").header("x-request-id", "req-7f3a:9"));

        assertThat(seenByService.get().requestHeaders().all("X-Request-Id")).containsExactly("req-7f3a:9");
        assertThat(seenByService.get().attribute(Exchange.REQUEST_ID)).hasValue("req-7f3a:9");
        assertThat(response.headers().all("X-Request-Id")).containsExactly("req-7f3a:9");
    }

    @Test
    void generatesAnIdWhenNoneWasSent() {
        FakeResponse response = serve(FakeExchange.get("/"));

        assertThat(seenByService.get().requestHeaders().all("X-Request-Id")).containsExactly("generated-1");
        assertThat(response.headers().first("X-Request-Id")).hasValue("generated-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "semi;colon", "quote\"", "ünicode", "<script>", "tab\there"})
    void replacesIdsWithUnsafeCharacters(String sent) {
        FakeResponse response = serve(FakeExchange.get("/").header("X-Request-Id", sent));

        assertThat(seenByService.get().requestHeaders().all("X-Request-Id")).containsExactly("generated-1");
        assertThat(response.headers().first("X-Request-Id")).hasValue("generated-1");
    }

    @Test
    void replacesIdsLongerThanTheLimit() {
        String longest = "a".repeat(128);

        serve(FakeExchange.get("/").header("X-Request-Id", longest));
        assertThat(seenByService.get().requestHeaders().first("X-Request-Id")).hasValue(longest);

        serve(FakeExchange.get("/").header("X-Request-Id", longest + "a"));
        assertThat(seenByService.get().requestHeaders().first("X-Request-Id")).hasValue("generated-1");
    }

    @Test
    void replacesTwoIncomingIdsWithOne() {
        serve(FakeExchange.get("/").header("X-Request-Id", "a-1").header("x-request-id", "b-2"));

        assertThat(seenByService.get().requestHeaders().all("X-Request-Id")).containsExactly("generated-1");
    }

    @Test
    void echoesTheIdOnRefusalsOfInnerPolicies() {
        PolicyChain chain = PolicyChain.builder()
                .add(policy)
                .add("auth", exchange -> Decision.reject(401, "A bearer token is required."))
                .build();

        FakeResponse response = FakeHost.serve(chain, FakeExchange.get("/").header("X-Request-Id", "abc"), e -> {
            throw new AssertionError("the service must not be called");
        });

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().all("X-Request-Id")).containsExactly("abc");
    }

    @Test
    void replacesAnIdTheServiceSetWithTheExchangesOwn() {
        FakeResponse response = FakeHost.serve(
                PolicyChain.of(policy),
                FakeExchange.get("/").header("X-Request-Id", "abc"),
                e -> FakeResponse.ok("ok").header("x-request-id", "something-else"));

        assertThat(response.headers().all("X-Request-Id")).containsExactly("abc");
    }

    @Test
    void continuesTheCallersTraceWithASpanOfItsOwn() {
        serve(FakeExchange.get("/").header("traceparent", TRACEPARENT).header("tracestate", "vendor=1"));

        String sent = seenByService.get().requestHeaders().first("traceparent").orElseThrow();
        assertThat(sent).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01");
        assertThat(sent).isNotEqualTo(TRACEPARENT);
        assertThat(seenByService.get().requestHeaders().all("traceparent")).hasSize(1);
        assertThat(seenByService.get().requestHeaders().all("tracestate")).containsExactly("vendor=1");
        assertThat(seenByService.get().attribute(TraceContext.KEY)).hasValueSatisfying(trace -> {
            assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(trace.spanId()).isEqualTo(sent.substring(36, 52));
            assertThat(trace.parentId()).isEqualTo("00f067aa0ba902b7");
            assertThat(trace.started()).isFalse();
        });
    }

    @Test
    void keepsTheCallersSamplingDecision() {
        serve(FakeExchange.get("/").header("traceparent", TRACEPARENT.replace("-01", "-00")));

        assertThat(seenByService.get().requestHeaders().first("traceparent"))
                .hasValueSatisfying(sent -> assertThat(sent).endsWith("-00"));
    }

    @Test
    void everyExchangeHasItsOwnSpan() {
        java.util.Set<String> spans = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            serve(FakeExchange.get("/").header("traceparent", TRACEPARENT));
            spans.add(seenByService
                    .get()
                    .attribute(TraceContext.KEY)
                    .orElseThrow()
                    .spanId());
        }
        assertThat(spans).hasSize(1000).doesNotContain("0000000000000000");
    }

    @Test
    void startsATraceWhenNoneWasSent() {
        serve(FakeExchange.get("/"));

        String started =
                seenByService.get().requestHeaders().first("traceparent").orElseThrow();
        assertThat(started).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(TraceContext.validTraceparent(started)).hasValue(started);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                "garbage"
            })
    void replacesAnInvalidTraceparentAndDropsItsTracestate(String invalid) {
        serve(FakeExchange.get("/").header("traceparent", invalid).header("tracestate", "vendor=1"));

        String sent = seenByService.get().requestHeaders().first("traceparent").orElseThrow();
        assertThat(sent).isNotEqualTo(invalid).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(seenByService.get().requestHeaders().contains("tracestate")).isFalse();
    }

    @Test
    void acceptsAFutureVersionByItsLevelOneFields() {
        String future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more";

        assertThat(TraceContext.validTraceparent(future)).hasValue(TRACEPARENT);
    }

    @Test
    void generatedIdsAreUniqueAndValid() {
        RequestIdPolicy defaults = RequestIdPolicy.ofDefaults();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIdPolicy.randomId();
            assertThat(defaults.isValid(id)).isTrue();
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }
}
