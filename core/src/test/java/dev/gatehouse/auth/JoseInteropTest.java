package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Decision;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens minted by an independent implementation, npm {@code jose} (see {@code jose/mint.mjs} for how the fixture
 * was made and how to regenerate it), verify in every supported algorithm: with keys read from the published JWK
 * Set, and with the same public keys as PEM configured without a kid.
 */
class JoseInteropTest {
    static final JsonNode FIXTURE = load();
    static final String ISS = FIXTURE.get("issuer").asText();
    static final String AUD = FIXTURE.get("audience").asText();

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    static JsonNode load() {
        try (InputStream in = JoseInteropTest.class.getResourceAsStream("/jose/tokens.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<JwtAlgorithm> algorithms() {
        return Stream.of(JwtAlgorithm.values());
    }

    static String token(JwtAlgorithm algorithm) {
        return FIXTURE.get("tokens").get(algorithm.name()).asText();
    }

    AuthPolicy policy(KeySource keys) {
        return AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(ISS, keys)
                .audience(AUD)
                .clock(clock)
                .build());
    }

    static Decision.Proceed accepted(AuthPolicy policy, String token) {
        Decision decision = policy.onRequest(FakeExchange.get("/").header("Authorization", "Bearer " + token));
        assertThat(decision).as("%s", decision.reason().orElse("")).isInstanceOf(Decision.Proceed.class);
        return (Decision.Proceed) decision;
    }

    @Test
    void theFixtureHasATokenForEverySupportedAlgorithm() {
        List<String> names = new ArrayList<>();
        FIXTURE.get("tokens").fieldNames().forEachRemaining(names::add);

        assertThat(names)
                .containsExactlyInAnyOrderElementsOf(
                        algorithms().map(Enum::name).toList());
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void aJoseTokenVerifiesWithKeysFromItsJwks(JwtAlgorithm algorithm) {
        String jwks = algorithm.family() == JwtAlgorithm.Family.HMAC ? "hmacJwks" : "jwks";
        AuthPolicy policy = policy(KeySet.fromJwks(FIXTURE.get(jwks).toString()));

        Decision.Proceed proceed = accepted(policy, token(algorithm));

        assertThat(proceed.upstreamHeaders().first("X-User-Id"))
                .hasValue("jose-" + algorithm.name().toLowerCase());
        assertThat(proceed.upstreamHeaders().first("X-Tenant-Id")).hasValue("interop");
        assertThat(proceed.upstreamHeaders().first("X-Scopes")).hasValue("orders:read");
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void aJoseTokenVerifiesWithItsPublicKeyAsPemWithoutAKid(JwtAlgorithm algorithm) {
        JsonNode pem = FIXTURE.get("pem").get(algorithm.name());
        if (algorithm.family() == JwtAlgorithm.Family.HMAC) {
            assertThat(pem).isNull();
            return;
        }
        AuthPolicy policy = policy(KeySet.of(JwtKey.fromPem(null, algorithm, pem.asText())));

        accepted(policy, token(algorithm));
    }

    @Test
    void noJoseTokenVerifiesWithAnotherAlgorithmsKey() {
        JsonNode jwks = FIXTURE.get("jwks");
        for (JwtAlgorithm algorithm : JwtAlgorithm.values()) {
            for (JsonNode jwk : jwks.get("keys")) {
                if (jwk.get("alg").asText().equals(algorithm.name())) {
                    continue;
                }
                AuthPolicy policy = policy(KeySet.fromJwks("{\"keys\":[" + withoutKid(jwk) + "]}"));
                Decision decision =
                        policy.onRequest(FakeExchange.get("/").header("Authorization", "Bearer " + token(algorithm)));
                assertThat(decision).as("%s with %s", algorithm, jwk.get("kid")).isInstanceOf(Decision.Reject.class);
            }
        }
    }

    static String withoutKid(JsonNode jwk) {
        Map<String, Object> copy = new ObjectMapper().convertValue(jwk, Map.class);
        copy.remove("kid");
        try {
            return new ObjectMapper().writeValueAsString(copy);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
