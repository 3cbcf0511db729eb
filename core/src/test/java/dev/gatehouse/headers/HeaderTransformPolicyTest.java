package dev.gatehouse.headers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.RouteTable;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderTransformPolicyTest {
    static final Principal ALICE = new Principal(
            "alice", Optional.of("acme"), Set.of("write", "read"), Optional.of("gold"), Map.of("org", "o-7"), "jwt");

    /** Stands in for authentication: records ALICE and sets the request id. */
    static final OffloadPolicy SIGNED_IN = exchange -> {
        exchange.setAttribute(Principal.KEY, ALICE);
        exchange.setAttribute(Exchange.REQUEST_ID, "req-1");
        return Decision.proceed();
    };

    @Test
    void setsAddsAndRemovesRequestHeadersFromThePrincipalTheRequestIdAndTheRoute() {
        HeaderTransformPolicy transforms = HeaderTransformPolicy.builder()
                .setRequestHeader("X-Org", "{claim.org}")
                .setRequestHeader("X-Caller", "{principal.subject}@{principal.tenant} ({principal.plan})")
                .setRequestHeader("X-Scopes-Seen", "{principal.scopes}")
                .addRequestHeader("X-Trace-Note", "id={request.id} route={route}")
                .removeRequestHeader("Cookie")
                .build();
        RouteTable routes = RouteTable.builder()
                .route("/orders/**", PolicyChain.of(SIGNED_IN, transforms))
                .build();
        FakeExchange exchange =
                FakeExchange.get("/orders/7").header("Cookie", "session=1").header("X-Trace-Note", "client-note");

        ChainRun run = ChainRun.start(routes, exchange);

        assertThat(run.proceeds()).isTrue();
        assertThat(exchange.requestHeaders().all("X-Org")).containsExactly("o-7");
        assertThat(exchange.requestHeaders().all("X-Caller")).containsExactly("alice@acme (gold)");
        assertThat(exchange.requestHeaders().all("X-Scopes-Seen")).containsExactly("read write");
        assertThat(exchange.requestHeaders().all("X-Trace-Note"))
                .containsExactly("client-note", "id=req-1 route=/orders/**");
        assertThat(exchange.requestHeaders().contains("Cookie")).isFalse();
    }

    @Test
    void aHeaderSetFromThePrincipalNeverCarriesTheClientsCopyEvenWithoutAPrincipal() {
        HeaderTransformPolicy transforms = HeaderTransformPolicy.builder()
                .setRequestHeader("X-Org", "{claim.org}")
                .build();
        RouteTable routes = RouteTable.builder()
                .route("/public/**", PolicyChain.empty())
                .otherwise(PolicyChain.of(transforms))
                .build();
        FakeExchange anonymous = FakeExchange.get("/orders").header("x_org", "spoofed");
        FakeExchange elsewhere = FakeExchange.get("/public/x").header("X-ORG", "spoofed");

        ChainRun.start(routes, anonymous);
        ChainRun.start(routes, elsewhere);

        assertThat(transforms.protectedRequestHeaders().names()).containsExactly("X-Org");
        assertThat(anonymous.requestHeaders().names()).isEmpty();
        assertThat(elsewhere.requestHeaders().names()).isEmpty();
    }

    @Test
    void setsAndRemovesResponseHeaders() {
        HeaderTransformPolicy transforms = HeaderTransformPolicy.builder()
                .setResponseHeader("X-Served-For", "{principal.subject}")
                .addResponseHeader("X-Route", "{route}")
                .removeResponseHeader("Server")
                .build();

        FakeResponse response = FakeHost.serve(
                PolicyChain.of(SIGNED_IN, transforms),
                FakeExchange.get("/"),
                e -> FakeResponse.ok("x").header("Server", "app/1.2"));

        assertThat(response.headers().first("X-Served-For")).hasValue("alice");
        assertThat(response.headers().contains("Server")).isFalse();
        assertThat(response.headers().contains("X-Route")).isFalse();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "X-User-Id | {request.id}",
                "x_user_id | {principal.subject}-{request.id}",
                "X-Tenant-Id | acme",
                "X-Scopes | admin",
            })
    void refusesToSetAnIdentityHeaderFromAnythingButThePrincipal(String name, String template) {
        HeaderTransformPolicy.Builder builder = HeaderTransformPolicy.builder().setRequestHeader(name, template);

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: an identity header only set from {principal.*} or {claim.*}");
    }

    @Test
    void refusesToAddToAnIdentityHeaderIncludingConfiguredOnes() {
        IdentityHeaders identity =
                IdentityHeaders.builder().claim("org", "X-Org-Id").build();

        assertThatThrownBy(() -> HeaderTransformPolicy.builder()
                        .addRequestHeader("X-Org-Id", "{claim.org}")
                        .identityHeaders(identity)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("X-Org-Id: add {claim.org}");
        assertThatThrownBy(() -> HeaderTransformPolicy.builder()
                        .addRequestHeader("X-User-Id", "{principal.subject}")
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdentityHeaderMayBeSetFromThePrincipal() {
        HeaderTransformPolicy transforms = HeaderTransformPolicy.builder()
                .setRequestHeader("X-Tenant-Id", "{principal.tenant}")
                .build();
        FakeExchange exchange = FakeExchange.get("/");

        ChainRun.start(RouteTable.of(PolicyChain.of(SIGNED_IN, transforms)), exchange.header("X-Tenant-Id", "evil"));

        assertThat(exchange.requestHeaders().all("X-Tenant-Id")).containsExactly("acme");
    }

    @Test
    void refusesUnknownPlaceholdersFramingHeadersAndClientHeaderTemplates() {
        assertThatThrownBy(() -> HeaderTransformPolicy.builder().setRequestHeader("X-A", "{header.Authorization}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("X-A: {header.Authorization} (expected: placeholders");
        assertThatThrownBy(() -> HeaderTransformPolicy.builder().setRequestHeader("X-A", "{principal.subject"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("balanced");
        assertThatThrownBy(() -> HeaderTransformPolicy.builder().setRequestHeader("Host", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header: Host (expected: not a framing or hop-by-hop header)");
        assertThatThrownBy(() -> HeaderTransformPolicy.builder().removeResponseHeader("Content-Length"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
