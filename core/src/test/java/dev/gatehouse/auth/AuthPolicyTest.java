package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.Principal;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The one auth policy owns the outcome; authenticators only say who, or why not. */
class AuthPolicyTest {
    static final Principal ALICE =
            new Principal("alice", Optional.of("acme"), Set.of("read"), Optional.empty(), Map.of(), "test");

    /** An authenticator with a fixed answer, recording that it was asked. */
    record Fixed(String name, @Nullable String scheme, Authentication answer, List<String> asked)
            implements Authenticator {
        @Override
        public Optional<String> challenge() {
            return Optional.ofNullable(scheme);
        }

        @Override
        public Authentication authenticate(Exchange exchange) {
            asked.add(name);
            return answer;
        }
    }

    final List<String> asked = new ArrayList<>();

    @Test
    void theFirstAuthenticatorThatFindsItsCredentialDecides() {
        AuthPolicy policy = AuthPolicy.anyOf(
                new Fixed("first", null, new Authentication.Absent(), asked),
                new Fixed("second", null, new Authentication.Authenticated(ALICE), asked),
                new Fixed("third", null, new Authentication.Authenticated(ALICE), asked));
        FakeExchange exchange = FakeExchange.get("/");

        Decision.Proceed proceed = (Decision.Proceed) policy.onRequest(exchange);

        assertThat(asked).containsExactly("first", "second");
        assertThat(proceed.upstreamHeaders().first("X-User-Id")).hasValue("alice");
        assertThat(proceed.upstreamHeaders().first("X-Tenant-Id")).hasValue("acme");
        assertThat(Principal.of(exchange)).hasValue(ALICE);
    }

    @Test
    void aFailureBecomesTheRefusalWithTheAuthenticatorsChallengeScheme() {
        Authentication malformed =
                new Authentication.Failed(Authentication.Fault.INVALID_REQUEST, "Send one token.", "2 tokens");
        Authentication invalid =
                new Authentication.Failed(Authentication.Fault.INVALID_CREDENTIAL, "The token is bad.", "bad sig");

        Decision.Reject badRequest = (Decision.Reject)
                AuthPolicy.anyOf(new Fixed("a", "Bearer", malformed, asked)).onRequest(FakeExchange.get("/"));
        Decision.Reject unauthorized = (Decision.Reject)
                AuthPolicy.anyOf(new Fixed("b", "Bearer", invalid, asked)).onRequest(FakeExchange.get("/"));
        Decision.Reject noScheme = (Decision.Reject)
                AuthPolicy.anyOf(new Fixed("c", null, invalid, asked)).onRequest(FakeExchange.get("/"));

        assertThat(badRequest.status()).isEqualTo(400);
        assertThat(badRequest.headers().all("WWW-Authenticate"))
                .containsExactly("Bearer error=\"invalid_request\", error_description=\"Send one token.\"");
        assertThat(badRequest.reason()).hasValue("2 tokens");
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.headers().all("WWW-Authenticate"))
                .containsExactly("Bearer error=\"invalid_token\", error_description=\"The token is bad.\"");
        assertThat(new String(unauthorized.response().body())).contains("The token is bad.");
        assertThat(noScheme.status()).isEqualTo(401);
        assertThat(noScheme.headers().all("WWW-Authenticate")).isEmpty();
        assertThat(noScheme.reason()).hasValue("bad sig");
    }

    @Test
    void withoutAnyCredentialEveryChallengeIsSentAndTheOptionalPolicyLetsTheRequestThrough() {
        Fixed bearer = new Fixed("jwt", "Bearer", new Authentication.Absent(), asked);
        Fixed keys = new Fixed("api-key", null, new Authentication.Absent(), asked);
        Fixed other = new Fixed("other", "Custom", new Authentication.Absent(), asked);

        Decision.Reject required =
                (Decision.Reject) AuthPolicy.anyOf(bearer, keys, other).onRequest(FakeExchange.get("/"));
        FakeExchange anonymous = FakeExchange.get("/").header("x-user-id", "admin");
        Decision.Proceed optional = (Decision.Proceed)
                AuthPolicy.builder().authenticator(bearer).optional().build().onRequest(anonymous);

        assertThat(required.status()).isEqualTo(401);
        assertThat(required.headers().all("WWW-Authenticate")).containsExactly("Bearer", "Custom");
        assertThat(required.reason()).hasValue("no credential");
        assertThat(optional.removedHeaders()).containsExactly("x-user-id");
        assertThat(optional.upstreamHeaders().size()).isZero();
        assertThat(optional.reason()).hasValue("anonymous; removed spoofed [x-user-id]");
        assertThat(Principal.of(anonymous)).isEmpty();
    }

    @Test
    void anAuthenticatorThatThrowsIsARefusalNeverAPass() {
        Authenticator broken = new Authenticator() {
            @Override
            public Authentication authenticate(Exchange exchange) {
                throw new IllegalStateException("bug");
            }

            @Override
            public String name() {
                return "broken";
            }
        };

        Decision decision = AuthPolicy.anyOf(broken).onRequest(FakeExchange.get("/"));

        assertThat(decision).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.status()).isEqualTo(401);
            assertThat(reject.reason()).hasValue("broken failed: java.lang.IllegalStateException: bug");
        });
    }

    @Test
    void identityHeadersAreThePoliciesAndClaimHeadersCarryTheClaimsTheAuthenticatorKeeps() {
        MutableClock clock = new MutableClock(JwtAuthenticatorTest.NOW);
        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .issuer(
                        JwtAuthenticatorTest.ISS,
                        KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, JwtAuthenticatorTest.SECRET)))
                .audience(JwtAuthenticatorTest.AUD)
                .claim("department")
                .clock(clock)
                .build();
        IdentityHeaders headers = IdentityHeaders.builder()
                .user("X-Subject")
                .claim("department", "X-Department")
                .build();
        AuthPolicy policy =
                AuthPolicy.builder().authenticator(jwt).identityHeaders(headers).build();
        String token = JwtAuthenticatorTest.hs256(JwtAuthenticatorTest.claims("\"department\":\"sales\""));

        Decision.Proceed proceed = (Decision.Proceed) policy.onRequest(
                FakeExchange.get("/").header("Authorization", "Bearer " + token).header("x_department", "it"));

        assertThat(proceed.upstreamHeaders().first("X-Subject")).hasValue("user-42");
        assertThat(proceed.upstreamHeaders().first("X-Department")).hasValue("sales");
        assertThat(proceed.removedHeaders()).containsExactly("x_department");
        assertThat(policy.protectedRequestHeaders().names())
                .contains("X-Subject", "X-Department", "X-Tenant-Id", "X-Scopes", "X-Plan");
    }

    @Test
    void theJwtAuthenticatorCanKeepEveryClaimTheIdentityHeadersPassOn() {
        IdentityHeaders headers = IdentityHeaders.builder()
                .claim("department", "X-Department")
                .claim("region", "X-Region")
                .build();
        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .issuer(
                        JwtAuthenticatorTest.ISS,
                        KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, JwtAuthenticatorTest.SECRET)))
                .audience(JwtAuthenticatorTest.AUD)
                .claimsFor(headers)
                .clock(new MutableClock(JwtAuthenticatorTest.NOW))
                .build();
        String token = JwtAuthenticatorTest.hs256(
                JwtAuthenticatorTest.claims("\"department\":\"sales\",\"region\":\"eu\",\"other\":\"x\""));

        Decision.Proceed proceed = (Decision.Proceed) AuthPolicy.builder()
                .authenticator(jwt)
                .identityHeaders(headers)
                .build()
                .onRequest(FakeExchange.get("/").header("Authorization", "Bearer " + token));

        assertThat(proceed.upstreamHeaders().first("X-Department")).hasValue("sales");
        assertThat(proceed.upstreamHeaders().first("X-Region")).hasValue("eu");
        assertThat(proceed.upstreamHeaders().names()).doesNotContain("other");
    }

    @Test
    void oneCallFactoriesAndBuilderChecks() {
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder()
                .key("gh_live_4f9c2b7e1d8a6035c2e9", "billing", "free", Set.of())
                .build();

        assertThat(AuthPolicy.apiKeys(keys)
                        .onRequest(FakeExchange.get("/").header("X-Api-Key", "gh_live_4f9c2b7e1d8a6035c2e9")))
                .isInstanceOf(Decision.Proceed.class);
        assertThat(AuthPolicy.apiKeys(keys)).hasToString("AuthPolicy[[api-key]]");
        assertThatThrownBy(() -> AuthPolicy.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("authenticators: none (expected: at least one)");
    }
}
