package dev.gatehouse.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.CapturingLogger;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class AccessLogPolicyTest {
    private final CapturingLogger logger = new CapturingLogger("dev.gatehouse.access", Level.INFO);
    private final RequestIdPolicy requestIds =
            RequestIdPolicy.builder().idGenerator(() -> "rid-1").build();

    @Test
    void writesOneEventPerExchangeWithTheRequestFacts() {
        PolicyChain chain = PolicyChain.of(requestIds, AccessLogPolicy.of(logger));

        FakeHost.serve(chain, FakeExchange.get("/orders/7").from("198.51.100.4"), e -> FakeResponse.ok("{}"));

        assertThat(logger.events()).singleElement().satisfies(event -> {
            assertThat(event.level()).isEqualTo(Level.INFO);
            assertThat(event.keyValues())
                    .containsEntry("method", "GET")
                    .containsEntry("path", "/orders/7")
                    .containsEntry("status", 200)
                    .containsEntry("client", "198.51.100.4")
                    .containsEntry("request_id", "rid-1")
                    .containsKey("duration_ms")
                    .containsKeys("trace_id", "span_id")
                    .doesNotContainKeys("parent_id", "decisions", "error");
            assertThat(event.message()).startsWith("GET /orders/7 200 ").contains("id=rid-1");
            // A layout that prints only the message (Spring Boot's default) still shows who, where and which trace.
            assertThat(event.message())
                    .contains(" client=198.51.100.4 ")
                    .contains(" route=-")
                    .contains(" trace=" + event.keyValues().get("trace_id"));
        });
    }

    @Test
    void theMessageStatesTheDurationInMillisecondsToTheMicrosecond() {
        long[][] cases = {{8_916_000, 0}, {1_200_000, 0}, {1_050_000, 0}, {5_000, 0}, {0, 0}, {499, 0}, {1_000_500, 0}};
        String[] expected = {"8.916ms", "1.2ms", "1.05ms", "0.005ms", "0.0ms", "0.0ms", "1.001ms"};
        for (int i = 0; i < cases.length; i++) {
            long elapsed = cases[i][0];
            long[] now = {1_000_000_000L};
            PolicyChain chain = PolicyChain.builder()
                    .add("request-id", requestIds)
                    .add("access-log", AccessLogPolicy.of(logger))
                    .nanoClock(() -> {
                        long t = now[0];
                        now[0] += elapsed; // the run's start, then its end
                        return t;
                    })
                    .build();

            FakeHost.serve(chain, FakeExchange.get("/t"), e -> FakeResponse.ok("{}"));

            String message = logger.events().get(i).message();
            assertThat(message).as("%s ns", elapsed).startsWith("GET /t 200 " + expected[i] + " id=rid-1");
            assertThat((Double) logger.events().get(i).keyValues().get("duration_ms"))
                    .isEqualTo(elapsed / 1e6);
        }
    }

    @Test
    void carriesTheTraceIdTheExchangesSpanAndTheCallersSpan() {
        PolicyChain chain = PolicyChain.of(requestIds, AccessLogPolicy.of(logger));
        String[] sent = new String[1];

        FakeHost.serve(
                chain,
                FakeExchange.get("/orders")
                        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                e -> {
                    sent[0] = e.requestHeaders().first("traceparent").orElseThrow();
                    return FakeResponse.ok("{}");
                });

        assertThat(logger.events())
                .singleElement()
                .satisfies(event -> assertThat(event.keyValues())
                        .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
                        .containsEntry("parent_id", "00f067aa0ba902b7")
                        .containsEntry("span_id", sent[0].substring(36, 52)));
    }

    @Test
    void namesThePolicyThatRefusedAndWhy() {
        PolicyChain chain = PolicyChain.builder()
                .add(requestIds)
                .add(AccessLogPolicy.of(logger))
                .add(
                        "jwt",
                        e -> Decision.reject(401, "The token has expired.").because("expired at 2026-11-22T10:00:00Z"))
                .build();

        FakeHost.serve(
                chain, FakeExchange.get("/orders").header("Authorization", "Bearer eyJhbGciOi.secret.sig"), e -> {
                    throw new AssertionError("the service must not be called");
                });

        assertThat(logger.events()).singleElement().satisfies(event -> {
            assertThat(event.keyValues())
                    .containsEntry("status", 401)
                    .containsEntry("decisions", "jwt:reject(expired at 2026-11-22T10:00:00Z)");
            assertThat(event.message()).doesNotContain("eyJ").doesNotContain("secret");
        });
    }

    @Test
    void logsTheRouteAndAFailureOfTheService() {
        RouteTable routes = RouteTable.builder()
                .route("GET", "/orders/**", PolicyChain.of(requestIds, AccessLogPolicy.of(logger)))
                .build();

        assertThatThrownBy(
                        () -> FakeHost.serve(routes.select("GET", "/orders/1").chain(), withRoute(routes), e -> {
                            throw new IllegalStateException("database down");
                        }))
                .hasMessage("database down");

        assertThat(logger.events()).singleElement().satisfies(event -> {
            assertThat(event.keyValues())
                    .containsEntry("status", 500)
                    .containsEntry("route", "GET /orders/**")
                    .containsEntry("error", "java.lang.IllegalStateException");
            assertThat(event.message()).doesNotContain("database down");
        });
    }

    private static FakeExchange withRoute(RouteTable routes) {
        FakeExchange exchange = FakeExchange.get("/orders/1");
        exchange.setAttribute(dev.gatehouse.Route.KEY, routes.select("GET", "/orders/1"));
        return exchange;
    }

    @Test
    void writesNothingWhenInfoIsOff() {
        CapturingLogger quiet = new CapturingLogger("dev.gatehouse.access", Level.WARN);

        FakeHost.serve(PolicyChain.of(AccessLogPolicy.of(quiet)), FakeExchange.get("/"), e -> FakeResponse.ok("ok"));

        assertThat(quiet.events()).isEmpty();
    }
}
