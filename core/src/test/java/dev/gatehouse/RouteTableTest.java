package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.FakeExchange;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final PolicyChain health = PolicyChain.of(exchange -> Decision.proceed());
    private final PolicyChain payments = PolicyChain.of(exchange -> Decision.proceed());
    private final PolicyChain orders = PolicyChain.of(exchange -> Decision.proceed());
    private final PolicyChain fallback = PolicyChain.of(exchange -> Decision.proceed());

    private final RouteTable routes = RouteTable.builder()
            .route("GET", "/health", health)
            .route("POST,PATCH", "/payments/**", payments)
            .route("/users/*/orders", orders)
            .route("/users/**", fallback)
            .otherwise(fallback)
            .build();

    @Test
    void matchesMethodsAndLiteralPaths() {
        assertThat(routes.select("GET", "/health").chain()).isSameAs(health);
        assertThat(routes.select("POST", "/health").chain()).isSameAs(fallback);
    }

    @Test
    void doubleStarMatchesAnyDepthIncludingNone() {
        assertThat(routes.select("POST", "/payments").chain()).isSameAs(payments);
        assertThat(routes.select("PATCH", "/payments/42/capture").chain()).isSameAs(payments);
        assertThat(routes.select("GET", "/payments/42").chain()).isSameAs(fallback);
    }

    @Test
    void singleStarMatchesExactlyOneSegment() {
        assertThat(routes.select("GET", "/users/42/orders").chain()).isSameAs(orders);
        assertThat(routes.select("GET", "/users/orders").chain()).isSameAs(fallback);
        assertThat(routes.select("GET", "/users/42/7/orders").chain()).isSameAs(fallback);
    }

    @Test
    void theFirstMatchingRouteWins() {
        RouteTable table = RouteTable.builder()
                .route("/api/**", orders)
                .route("/api/health", health)
                .build();

        assertThat(table.select("GET", "/api/health").chain()).isSameAs(orders);
    }

    @Test
    void emptySegmentsDoNotDodgeARoute() {
        assertThat(routes.select("GET", "//health/").chain()).isSameAs(health);
    }

    @Test
    void startRecordsTheRouteOnTheExchange() {
        FakeExchange exchange = FakeExchange.get("/users/42/orders");

        routes.start(exchange);

        assertThat(exchange.attribute(Route.KEY))
                .hasValueSatisfying(route -> assertThat(route.pattern()).isEqualTo("/users/*/orders"));
    }

    @Test
    void withoutADefaultUnmatchedRequestsPassThroughTheEmptyChain() {
        RouteTable table = RouteTable.builder().route("/a", health).build();

        assertThat(table.select("GET", "/b").chain()).isSameAs(PolicyChain.empty());
    }

    @Test
    void refusesPatternsItCannotMatch() {
        assertThatThrownBy(() -> RouteTable.builder().route("api/**", health))
                .hasMessage("pattern: api/** (expected: starts with /)");
        assertThatThrownBy(() -> RouteTable.builder().route("/api/*.json", health))
                .hasMessage("pattern: /api/*.json (expected: * and ** only as whole segments)");
    }
}
