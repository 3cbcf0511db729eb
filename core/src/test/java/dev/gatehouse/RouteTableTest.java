package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.host.ChainRun;
import dev.gatehouse.testing.FakeExchange;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
    void aPathSplitsIntoItsNonEmptySegments() {
        assertThat(Route.split("/")).isEmpty();
        assertThat(Route.split("")).isEmpty();
        assertThat(Route.split("/api/orders/7")).containsExactly("api", "orders", "7");
        assertThat(Route.split("//api///orders/")).containsExactly("api", "orders");
        assertThat(Route.split("api")).containsExactly("api");
        assertThat(Route.split("/a/b/")).containsExactly("a", "b");
    }

    @Test
    void aNamedFallbackServesEveryRequestUnderItsOwnPattern() {
        RouteTable table = RouteTable.builder().otherwise("/api/**", orders).build();

        Route chosen = table.select("DELETE", "/anything/at/all");
        assertThat(chosen.chain()).isSameAs(orders);
        assertThat(chosen.pattern()).isEqualTo("/api/**");
        assertThatThrownBy(() -> RouteTable.builder().otherwise("api/**", orders))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starts with /");
    }

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

        ChainRun.start(routes, exchange);

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

    @Test
    void clientCopiesOfIdentityHeadersAreRemovedOnARouteWithoutAuthentication() {
        FakeExchange exchange = FakeExchange.get("/health")
                .header("X-User-Id", "admin")
                .header("x-user-id", "root")
                .header("X_User_Id", "admin")
                .header("x-TENANT-id", "other")
                .header("X-Scopes", "admin:*")
                .header("x_plan", "enterprise")
                .header("Accept", "text/plain");

        ChainRun run = ChainRun.start(routes, exchange);

        assertThat(exchange.requestHeaders().names()).containsExactly("Accept");
        // The host replaces every client field of these names, in any letter case, with what the chain left.
        for (String name : List.of("x-user-id", "X_USER_ID", "X-Tenant-Id", "x-scopes", "X_PLAN")) {
            assertThat(run.editedRequestHeaders().contains(name)).as(name).isTrue();
        }
        assertThat(run.editedRequestHeaders().contains("Accept")).isFalse();
        assertThat(DecisionLog.of(exchange).toString()).contains("removed client copies");
    }

    @Test
    void clientCopiesAreRemovedOnTheDefaultChainBeforeItsFirstPolicyRuns() {
        AtomicReference<List<String>> seen = new AtomicReference<>();
        RouteTable table = RouteTable.builder()
                .otherwise(PolicyChain.of(exchange -> {
                    seen.set(List.copyOf(exchange.requestHeaders().names()));
                    return Decision.proceed();
                }))
                .build();

        ChainRun.start(
                table,
                FakeExchange.post("/anything").header("X-User-Id", "admin").header("Accept", "*/*"));

        assertThat(seen.get()).containsExactly("Accept");
    }

    @Test
    void headersAPolicyProtectsAreRemovedOnEveryRouteEvenWhereThatPolicyDoesNotRun() {
        OffloadPolicy issuesClientCertHeader = new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed(Headers.of("X-Client-Cert-Subject", "CN=verified"));
            }

            @Override
            public ProtectedHeaders protectedRequestHeaders() {
                return ProtectedHeaders.of(List.of("X-Client-Cert-Subject"));
            }
        };
        RouteTable table = RouteTable.builder()
                .route("/secure/**", PolicyChain.of(issuesClientCertHeader))
                .protect("X-Internal-Secret")
                .build();
        FakeExchange open = FakeExchange.get("/public")
                .header("x_client_cert_subject", "CN=forged")
                .header("x-internal-secret", "guess");
        FakeExchange secure = FakeExchange.get("/secure/x").header("X-Client-Cert-Subject", "CN=forged");

        ChainRun.start(table, open);
        ChainRun.start(table, secure);

        assertThat(open.requestHeaders().names()).isEmpty();
        assertThat(secure.requestHeaders().all("X-Client-Cert-Subject")).containsExactly("CN=verified");
        assertThat(table.protectedRequestHeaders().names())
                .contains("X-User-Id", "X-Client-Cert-Subject", "X-Internal-Secret");
    }

    @Test
    void headersThatOnlyLookAlikeAreKept() {
        FakeExchange exchange = FakeExchange.get("/health")
                .header("X-User-Ids", "a")
                .header("X-User", "b")
                .header("XUser-Id", "c");

        ChainRun.start(routes, exchange);

        assertThat(exchange.requestHeaders().names()).containsExactly("X-User-Ids", "X-User", "XUser-Id");
    }
}
