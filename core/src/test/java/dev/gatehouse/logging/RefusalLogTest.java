package dev.gatehouse.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Exchange;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.auth.ScopePolicy;
import dev.gatehouse.compression.RequestDecompressionPolicy;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.CapturingLogger;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

/**
 * "I get a 401 / 429 / 409": for every refusal a user can meet, the one access-log event of the exchange names
 * the policy that refused and why — and carries no token, key or secret, whatever the client sent.
 */
class RefusalLogTest {
    static final byte[] SECRET = "a-demo-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.US_ASCII);
    static final String API_KEY = "gh_live_9d8c7b6a5f4e3d2c1b0a";
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}";

    static String token(String payload) {
        return Tokens.hmac("HS256", SECRET, HEADER, payload);
    }

    static String claims(String iss, String aud, long exp) {
        return "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"sub\":\"user-42\",\"exp\":" + exp
                + ",\"scope\":\"orders:read\"}";
    }

    static final String VALID = token(claims("https://idp.test/", "orders", NOW.getEpochSecond() + 600));
    static final String EXPIRED = token(claims("https://idp.test/", "orders", NOW.getEpochSecond() - 3600));
    static final String WRONG_AUD = token(claims("https://idp.test/", "billing", NOW.getEpochSecond() + 600));
    static final String WRONG_ISS = token(claims("https://evil.test/", "orders", NOW.getEpochSecond() + 600));
    static final String BAD_SIGNATURE = VALID.substring(0, VALID.lastIndexOf('.') + 1)
            + Tokens.b64("not the signature at all, 32 bytes".getBytes(StandardCharsets.US_ASCII));
    static final String ALG_NONE =
            Tokens.b64("{\"alg\":\"none\"}") + "." + Tokens.b64(claims("https://idp.test/", "orders", 0)) + ".c2ln";
    static final String NOT_YET = token("{\"iss\":\"https://idp.test/\",\"aud\":\"orders\",\"sub\":\"u\",\"exp\":"
            + (NOW.getEpochSecond() + 7200) + ",\"nbf\":" + (NOW.getEpochSecond() + 3600) + "}");

    /** One refusal: the request, the chain's policies, and what the log must say. */
    record Case(
            String name,
            Function<CapturingLogger, PolicyChain> chain,
            List<FakeExchange> requests,
            int status,
            String policy,
            String reason,
            List<String> secrets) {
        @Override
        public String toString() {
            return name;
        }
    }

    static PolicyChain chain(CapturingLogger logger, Object... namedPolicies) {
        PolicyChain.Builder builder = PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("access-log", AccessLogPolicy.of(logger));
        for (int i = 0; i < namedPolicies.length; i += 2) {
            builder.add((String) namedPolicies[i], (dev.gatehouse.OffloadPolicy) namedPolicies[i + 1]);
        }
        return builder.build();
    }

    static JwtAuthenticator jwt() {
        return JwtAuthenticator.builder()
                .issuer("https://idp.test/", KeySet.of(JwtKey.hmac("k1", JwtAlgorithm.HS256, SECRET)))
                .audience("orders")
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
    }

    static AuthPolicy auth() {
        return AuthPolicy.anyOf(
                jwt(),
                ApiKeyAuthenticator.builder()
                        .key(API_KEY, "billing", "free", Set.of("orders:read"))
                        .build());
    }

    static FakeExchange bearer(String token) {
        return FakeExchange.get("/orders").header("Authorization", "Bearer " + token);
    }

    static Case jwtCase(String name, String token, int status, String reason) {
        return new Case(
                name,
                logger -> chain(logger, "auth", auth()),
                List.of(bearer(token)),
                status,
                "auth",
                reason,
                List.of(
                        token,
                        token.substring(token.lastIndexOf('.') + 1),
                        new String(SECRET, StandardCharsets.US_ASCII),
                        Base64.getEncoder().encodeToString(SECRET)));
    }

    static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write(raw);
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Case> refusals() {
        List<Case> cases = new ArrayList<>();
        cases.add(jwtCase("jwt expired", EXPIRED, 401, "expired at 2026-11-22T09:00:00Z"));
        cases.add(jwtCase("jwt bad signature", BAD_SIGNATURE, 401, "signature invalid"));
        cases.add(jwtCase("jwt wrong audience", WRONG_AUD, 401, "aud expected [orders] got [billing]"));
        cases.add(jwtCase("jwt unknown issuer", WRONG_ISS, 401, "iss https://evil.test/ not trusted"));
        cases.add(jwtCase("jwt alg none", ALG_NONE, 401, "alg none refused"));
        cases.add(jwtCase("jwt not yet valid", NOT_YET, 401, "not before 2026-11-22T11:00:00Z (leeway 30s)"));
        cases.add(jwtCase("jwt malformed", "eyJhbGciOi.not-a-token", 401, "token"));
        cases.add(new Case(
                "no credential",
                logger -> chain(logger, "auth", auth()),
                List.of(FakeExchange.get("/orders")),
                401,
                "auth",
                "no credential",
                List.of()));
        cases.add(new Case(
                "two Authorization fields",
                logger -> chain(logger, "auth", auth()),
                List.of(FakeExchange.get("/orders")
                        .header("Authorization", "Bearer " + VALID)
                        .header("Authorization", "Bearer " + EXPIRED)),
                400,
                "auth",
                "2 Authorization fields",
                List.of(VALID, EXPIRED)));
        String wrongKey = "gh_live_0000000000000000000000";
        cases.add(new Case(
                "unknown API key",
                logger -> chain(logger, "auth", auth()),
                List.of(FakeExchange.get("/orders").header("X-Api-Key", wrongKey)),
                401,
                "auth",
                "unknown API key " + ApiKeyAuthenticator.digestOf(wrongKey).substring(0, 8),
                List.of(wrongKey, API_KEY)));
        cases.add(new Case(
                "insufficient scope",
                logger -> chain(logger, "auth", auth(), "scope", ScopePolicy.require("orders:write")),
                List.of(bearer(VALID)),
                403,
                "scope",
                "insufficient_scope: user-42 lacks [orders:write]",
                List.of(VALID)));
        cases.add(new Case(
                "rate limited",
                logger -> chain(
                        logger,
                        "ratelimit",
                        RateLimitPolicy.builder().limits(Limit.perMinute(1)).build()),
                List.of(
                        FakeExchange.get("/orders").from("203.0.113.9"),
                        FakeExchange.get("/orders").from("203.0.113.9")),
                429,
                "ratelimit",
                "ip:203.0.113.9 window=minute 0/1 refill in 60s",
                List.of()));
        cases.add(new Case(
                "malformed idempotency key",
                logger -> chain(
                        logger,
                        "idempotency",
                        IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                                .build()),
                List.of(FakeExchange.post("/pay").header("Idempotency-Key", "\"unterminated")),
                400,
                "idempotency",
                "malformed Idempotency-Key",
                List.of()));
        cases.add(new Case(
                "idempotency key reused with another body",
                logger -> chain(
                        logger,
                        "idempotency",
                        IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                                .build()),
                List.of(
                        FakeExchange.post("/pay")
                                .header("Idempotency-Key", "\"k-1\"")
                                .withBody("{\"amount\":1}"),
                        FakeExchange.post("/pay")
                                .header("Idempotency-Key", "\"k-1\"")
                                .withBody("{\"amount\":1000}")),
                422,
                "idempotency",
                "key reused with a different request",
                List.of()));
        cases.add(new Case(
                "request body over the chain's limit",
                logger -> chain(
                        logger,
                        "idempotency",
                        IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults())
                                .maxBodyBytes(100)
                                .build()),
                List.of(FakeExchange.post("/pay")
                        .header("Idempotency-Key", "\"k-2\"")
                        .withBody("x".repeat(1000))),
                413,
                "idempotency",
                "over 100 bytes",
                List.of()));
        cases.add(new Case(
                "decompressed body over the cap",
                logger -> chain(
                        logger,
                        "decompression",
                        RequestDecompressionPolicy.builder()
                                .maxInflatedBytes(10_000)
                                .build()),
                List.of(FakeExchange.post("/upload")
                        .header("Content-Encoding", "gzip")
                        .withBody(gzip(new byte[1_000_000]))),
                413,
                "decompression",
                "inflated body over",
                List.of()));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void theEventNamesThePolicyAndTheReasonAndNoSecret(Case refusal) {
        CapturingLogger logger = new CapturingLogger("dev.gatehouse.access", Level.INFO);
        PolicyChain chain = refusal.chain().apply(logger);

        FakeResponse last = null;
        for (Exchange request : refusal.requests()) {
            last = FakeHost.serve(chain, request, e -> FakeResponse.ok("{\"ok\":true}"));
        }

        assertThat(last.status()).isEqualTo(refusal.status());
        CapturingLogger.Event event = logger.events().get(logger.events().size() - 1);
        assertThat(event.keyValues()).containsEntry("status", refusal.status());
        assertThat((String) event.keyValues().get("decisions"))
                .contains(refusal.policy() + ":reject(")
                .contains(refusal.reason());
        assertThat(event.message()).contains(refusal.policy() + ":reject(");
        String everything = event.message() + " " + event.keyValues();
        for (String secret : refusal.secrets()) {
            assertThat(everything).doesNotContain(secret);
        }
        assertThat(everything).doesNotContain("Bearer ").doesNotContain("eyJ");
    }
}
