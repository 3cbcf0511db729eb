package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.MutableClock;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyAndScopeTest {
    static final String KEY = "gh_live_4f9c2b7e1d8a6035c2e9";

    final ApiKeyAuthenticator apiKeys = ApiKeyAuthenticator.builder()
            .key(KEY, "billing-service", "premium", Set.of("orders:read"))
            .keyDigest(ApiKeyAuthenticator.digestOf("gh_live_second_key_0001"), "reporting", "free", Set.of())
            .build();
    final AuthPolicy apiKeyPolicy = AuthPolicy.apiKeys(apiKeys);

    @Test
    void aKnownKeyBecomesAPrincipalWithItsOwnerAndPlan() {
        FakeExchange exchange = FakeExchange.get("/").header("x-api-key", KEY).header("X_Plan", "enterprise");

        Decision.Proceed proceed = (Decision.Proceed) apiKeyPolicy.onRequest(exchange);

        assertThat(proceed.upstreamHeaders().first("X-User-Id")).hasValue("billing-service");
        assertThat(proceed.upstreamHeaders().first("X-Plan")).hasValue("premium");
        assertThat(proceed.upstreamHeaders().first("X-Scopes")).hasValue("orders:read");
        assertThat(proceed.removedHeaders()).containsExactly("X_Plan");
        assertThat(Principal.of(exchange).orElseThrow().method()).isEqualTo("api-key");
    }

    @Test
    void anUnknownKeyIs401AndTheLogNamesItsDigestNeverTheKey() {
        String wrong = KEY.substring(0, KEY.length() - 1) + "0";
        Decision.Reject reject =
                (Decision.Reject) apiKeyPolicy.onRequest(FakeExchange.get("/").header("X-Api-Key", wrong));

        assertThat(reject.status()).isEqualTo(401);
        assertThat(reject.response().headers().first("WWW-Authenticate"))
                .as("every 401 carries a challenge (RFC 9110)")
                .hasValueSatisfying(challenge ->
                        assertThat(challenge).startsWith("ApiKey header=\"X-Api-Key\", error=\"invalid_token\""));
        assertThat(reject.reason().orElseThrow())
                .isEqualTo(
                        "unknown API key " + ApiKeyAuthenticator.digestOf(wrong).substring(0, 8))
                .doesNotContain(wrong);
        assertThat(new String(reject.response().body())).doesNotContain(wrong);
    }

    @Test
    void twoKeysAre400AndAMissingKeyIs401() {
        Decision.Reject twice = (Decision.Reject) apiKeyPolicy.onRequest(
                FakeExchange.get("/").header("X-Api-Key", KEY).header("X-API-KEY", KEY));
        assertThat(twice.status()).isEqualTo(400);

        Decision.Reject missing = (Decision.Reject) apiKeyPolicy.onRequest(FakeExchange.get("/"));
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.response().headers().all("WWW-Authenticate")).containsExactly("ApiKey header=\"X-Api-Key\"");
        assertThat(missing.reason()).hasValue("no credential");
    }

    @Test
    void readsTheQueryOnlyWhenEnabled() {
        assertThat(apiKeyPolicy.onRequest(FakeExchange.get("/").withQuery("api_key=" + KEY)))
                .isInstanceOf(Decision.Reject.class);

        AuthPolicy withQuery = AuthPolicy.apiKeys(ApiKeyAuthenticator.builder()
                .key(KEY, "billing-service", "premium", Set.of())
                .allowQueryParameter("api_key")
                .build());
        assertThat(withQuery.onRequest(FakeExchange.get("/").withQuery("api_key=" + KEY)))
                .isInstanceOf(Decision.Proceed.class);
    }

    @Test
    void refusesWeakConfiguration() {
        assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("short", "o", "free", Set.of()))
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> ApiKeyAuthenticator.builder().keyDigest("abc", "o", "free", Set.of()))
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> ApiKeyAuthenticator.builder()
                        .key(KEY, "a", "free", Set.of())
                        .key(KEY, "b", "free", Set.of()))
                .hasMessageContaining("configured twice");
        assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key(KEY, "evil\r\nX: y", "free", Set.of()))
                .hasMessageContaining("owner");
    }

    @Test
    void aJwtOrAnApiKeyAuthenticatesAndScopesAreCheckedPerRoute() {
        MutableClock clock = new MutableClock(JwtAuthenticatorTest.NOW);
        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .issuer(
                        JwtAuthenticatorTest.ISS,
                        KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, JwtAuthenticatorTest.SECRET)))
                .audience(JwtAuthenticatorTest.AUD)
                .clock(clock)
                .build();
        PolicyChain writes = PolicyChain.builder()
                .add("auth", AuthPolicy.anyOf(jwt, apiKeys))
                .add("scope", ScopePolicy.require("orders:write"))
                .build();
        String writer =
                JwtAuthenticatorTest.hs256(JwtAuthenticatorTest.claims("\"scope\":\"orders:read orders:write\""));

        FakeResponse byJwt = FakeHost.serve(
                writes, FakeExchange.post("/orders").header("Authorization", "Bearer " + writer), this::ok);
        FakeResponse byKey = FakeHost.serve(writes, FakeExchange.post("/orders").header("X-Api-Key", KEY), this::ok);
        FakeResponse nothing = FakeHost.serve(writes, FakeExchange.post("/orders"), this::ok);

        assertThat(byJwt.status()).isEqualTo(200);
        assertThat(byKey.status()).isEqualTo(403);
        assertThat(byKey.headers().first("WWW-Authenticate"))
                .hasValue("Bearer error=\"insufficient_scope\", error_description=\"The credential lacks a required"
                        + " scope.\", scope=\"orders:write\"");
        assertThat(byKey.bodyText()).contains("\"required_scopes\":[\"orders:write\"]");
        assertThat(nothing.status()).isEqualTo(401);
        assertThat(nothing.headers().all("WWW-Authenticate"))
                .as("a challenge for each kind of credential the route takes")
                .containsExactly("Bearer", "ApiKey header=\"X-Api-Key\"");
    }

    private FakeResponse ok(dev.gatehouse.Exchange exchange) {
        return FakeResponse.ok("done");
    }
}
