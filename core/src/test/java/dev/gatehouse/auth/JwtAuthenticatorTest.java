package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Principal;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.Tokens;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every attack class of REQUIREMENTS.md §1 against {@link JwtAuthenticator} in an {@link AuthPolicy}, with tokens built by hand. */
class JwtAuthenticatorTest {
    static final String ISS = "https://idp.example.test";
    static final String AUD = "orders";
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final long T = NOW.getEpochSecond();

    static final byte[] SECRET = randomBytes(32);
    static final KeyPair RSA = Tokens.rsaKeyPair(2048);
    static final KeyPair EC = Tokens.ecKeyPair("secp256r1");
    static final KeyPair OTHER_RSA = Tokens.rsaKeyPair(2048);

    final MutableClock clock = new MutableClock(NOW);
    final AuthPolicy hmac = policy(KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, SECRET)));
    final AuthPolicy publicKeys = policy(KeySet.of(
            JwtKey.rsa("rsa-1", JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
            JwtKey.ec("ec-1", JwtAlgorithm.ES256, (ECPublicKey) EC.getPublic())));

    AuthPolicy policy(KeySource keys) {
        return AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(ISS, keys)
                .audience(AUD)
                .leeway(Duration.ofSeconds(30))
                .clock(clock)
                .build());
    }

    static String claims(String extra) {
        return "{\"iss\":\"" + ISS + "\",\"aud\":\"" + AUD + "\",\"sub\":\"user-42\",\"exp\":" + (T + 300)
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String header(String alg, String kid) {
        return "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
    }

    static String hs256(String payload) {
        return Tokens.hmac("HS256", SECRET, header("HS256", "hs-1"), payload);
    }

    static String rs256(String payload) {
        return Tokens.rsa("RS256", RSA.getPrivate(), header("RS256", "rsa-1"), payload);
    }

    static String es256(String payload) {
        return Tokens.ec("ES256", EC.getPrivate(), header("ES256", "ec-1"), payload);
    }

    static Decision decide(AuthPolicy policy, String token) {
        return policy.onRequest(FakeExchange.get("/orders").header("Authorization", "Bearer " + token));
    }

    static void assertAccepted(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Proceed.class);
        assertThat(((Decision.Proceed) decision).upstreamHeaders().first("X-User-Id"))
                .hasValue("user-42");
    }

    static void assertRefused(Decision decision, String reason) {
        assertThat(decision).isInstanceOf(Decision.Reject.class);
        Decision.Reject reject = (Decision.Reject) decision;
        assertThat(reject.status()).isEqualTo(401);
        assertThat(reject.headers().first("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer error=\"invalid_token\""));
        assertThat(reject.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(reject.reason()).hasValueSatisfying(text -> assertThat(text).contains(reason));
    }

    @Test
    void acceptsValidTokensOfEachKeyType() {
        assertAccepted(decide(hmac, hs256(claims(""))));
        assertAccepted(decide(publicKeys, rs256(claims(""))));
        assertAccepted(decide(publicKeys, es256(claims(""))));
    }

    @Test
    void acceptsEveryAlgorithmOfEachFamily() {
        byte[] secret512 = randomBytes(64);
        KeyPair ec384 = Tokens.ecKeyPair("secp384r1");
        KeyPair ec521 = Tokens.ecKeyPair("secp521r1");
        AuthPolicy policy = AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(ISS, KeySet.of(JwtKey.hmac("hs", JwtAlgorithm.HS512, secret512)))
                .issuer(
                        "https://other.test",
                        KeySet.of(
                                JwtKey.rsa("rs384", JwtAlgorithm.RS384, (RSAPublicKey) RSA.getPublic()),
                                JwtKey.rsa("rs512", JwtAlgorithm.RS512, (RSAPublicKey) RSA.getPublic()),
                                JwtKey.ec("es384", JwtAlgorithm.ES384, (ECPublicKey) ec384.getPublic()),
                                JwtKey.ec("es512", JwtAlgorithm.ES512, (ECPublicKey) ec521.getPublic())))
                .audience(AUD)
                .clock(clock)
                .build());
        String other = claims("").replace(ISS, "https://other.test");

        assertAccepted(decide(policy, Tokens.hmac("HS512", secret512, header("HS512", "hs"), claims(""))));
        assertAccepted(decide(policy, Tokens.rsa("RS384", RSA.getPrivate(), header("RS384", "rs384"), other)));
        assertAccepted(decide(policy, Tokens.rsa("RS512", RSA.getPrivate(), header("RS512", "rs512"), other)));
        assertAccepted(decide(policy, Tokens.ec("ES384", ec384.getPrivate(), header("ES384", "es384"), other)));
        assertAccepted(decide(policy, Tokens.ec("ES512", ec521.getPrivate(), header("ES512", "es512"), other)));
    }

    @Test
    void passesThePrincipalAsIdentityHeadersAndAnAttribute() {
        FakeExchange exchange = FakeExchange.get("/")
                .header(
                        "Authorization",
                        "Bearer "
                                + hs256(claims("\"tenant\":\"acme\",\"plan\":\"premium\","
                                        + "\"scope\":\"orders:read orders:write\"")));

        Decision decision = hmac.onRequest(exchange);

        Decision.Proceed proceed = (Decision.Proceed) decision;
        assertThat(proceed.upstreamHeaders().first("X-User-Id")).hasValue("user-42");
        assertThat(proceed.upstreamHeaders().first("X-Tenant-Id")).hasValue("acme");
        assertThat(proceed.upstreamHeaders().first("X-Plan")).hasValue("premium");
        assertThat(proceed.upstreamHeaders().first("X-Scopes")).hasValue("orders:read orders:write");
        assertThat(Principal.of(exchange)).hasValueSatisfying(principal -> {
            assertThat(principal.subject()).isEqualTo("user-42");
            assertThat(principal.scopes()).containsExactlyInAnyOrder("orders:read", "orders:write");
            assertThat(principal.method()).isEqualTo("jwt");
            assertThat(principal.issuer()).isPresent();
            assertThat(principal.key()).contains(principal.issuer().get()).endsWith(":user-42");
        });
    }

    @Test
    void removesSpoofedIdentityHeadersInEverySpellingWhetherOrNotTheRequestAuthenticates() {
        FakeExchange authenticated = FakeExchange.get("/")
                .header("Authorization", "Bearer " + hs256(claims("")))
                .header("x-user-id", "admin")
                .header("X_User_Id", "admin")
                .header("X-SCOPES", "admin:*");
        Decision.Proceed proceed = (Decision.Proceed) hmac.onRequest(authenticated);
        assertThat(proceed.removedHeaders()).containsExactlyInAnyOrder("x-user-id", "X_User_Id", "X-SCOPES");

        AuthPolicy optional = AuthPolicy.builder()
                .authenticator(JwtAuthenticator.builder()
                        .issuer(ISS, KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, SECRET)))
                        .audience(AUD)
                        .clock(clock)
                        .build())
                .optional()
                .build();
        FakeExchange anonymous =
                FakeExchange.get("/").header("x_tenant_id", "other").header("X-Plan", "premium");
        Decision.Proceed anonymousProceed = (Decision.Proceed) optional.onRequest(anonymous);
        assertThat(anonymousProceed.removedHeaders()).containsExactlyInAnyOrder("x_tenant_id", "X-Plan");
        assertThat(anonymousProceed.upstreamHeaders().size()).isZero();
        assertThat(Principal.of(anonymous)).isEmpty();
    }

    @Test
    void withoutATokenARequiredPolicyAnswers401WithABareChallenge() {
        Decision decision = hmac.onRequest(FakeExchange.get("/").header("Authorization", "Basic dXNlcjpwdw=="));

        Decision.Reject reject = (Decision.Reject) decision;
        assertThat(reject.status()).isEqualTo(401);
        assertThat(reject.headers().all("WWW-Authenticate")).containsExactly("Bearer");
        assertThat(reject.reason()).hasValue("no credential");
    }

    // 1. alg none
    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void refusesAlgNoneInAnyCasingWithOrWithoutASignature(String alg) {
        String header = "{\"alg\":\"" + alg + "\",\"kid\":\"hs-1\"}";
        String unsigned = Tokens.signingInput(header, claims(""));

        assertRefused(decide(hmac, unsigned + "."), "malformed token: no signature");
        assertRefused(decide(hmac, unsigned + "." + Tokens.b64("sig")), "alg " + alg + " refused");
        String hmacSigned = Tokens.hmac("HS256", SECRET, header, claims(""));
        assertRefused(decide(hmac, hmacSigned), "alg " + alg + " refused");
    }

    // 2. HS/RS and HS/EC key confusion
    @Test
    void refusesPublicKeyBytesUsedAsAnHmacSecret() {
        RSAPublicKey rsa = (RSAPublicKey) RSA.getPublic();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        String jwk =
                "{\"kty\":\"RSA\",\"n\":\"" + Tokens.b64(Tokens.unsigned(rsa.getModulus(), 256)) + "\",\"e\":\"AQAB\"}";
        List<byte[]> secrets = List.of(
                pem.getBytes(StandardCharsets.US_ASCII),
                rsa.getEncoded(),
                jwk.getBytes(StandardCharsets.US_ASCII),
                Tokens.unsigned(rsa.getModulus(), 256),
                EC.getPublic().getEncoded());
        for (byte[] secret : secrets) {
            for (String kid : List.of("rsa-1", "ec-1")) {
                String forged = Tokens.hmac("HS256", secret, header("HS256", kid), claims(""));
                assertRefused(decide(publicKeys, forged), "alg HS256 does not match JwtKey[" + kid);
            }
        }
        AuthPolicy singleKey = policy(KeySet.of(JwtKey.fromPem(null, JwtAlgorithm.RS256, pem)));
        String noKid = Tokens.hmac("HS256", pem.getBytes(StandardCharsets.US_ASCII), "{\"alg\":\"HS256\"}", claims(""));
        assertRefused(decide(singleKey, noKid), "no kid and 0 HMAC keys");
        String withKid =
                Tokens.hmac("HS256", pem.getBytes(StandardCharsets.US_ASCII), header("HS256", "x"), claims(""));
        assertRefused(decide(singleKey, withKid), "unknown kid x");
        String rsaKid =
                Tokens.hmac("HS256", pem.getBytes(StandardCharsets.US_ASCII), header("HS256", "rsa-1"), claims(""));
        assertRefused(decide(singleKey, rsaKid), "unknown kid rsa-1");
    }

    // 3. Algorithm substitution within a key type
    @Test
    void refusesAlgorithmSubstitution() {
        assertRefused(
                decide(publicKeys, Tokens.rsa("RS512", RSA.getPrivate(), header("RS512", "rsa-1"), claims(""))),
                "alg RS512 does not match JwtKey[rsa-1, RS256]");
        assertRefused(
                decide(publicKeys, Tokens.pss(RSA.getPrivate(), header("PS256", "rsa-1"), claims(""))),
                "alg PS256 does not match");
        assertRefused(
                decide(publicKeys, Tokens.ec("ES256", EC.getPrivate(), header("ES256", "rsa-1"), claims(""))),
                "alg ES256 does not match JwtKey[rsa-1, RS256]");
        assertRefused(
                decide(publicKeys, Tokens.rsa("RS256", RSA.getPrivate(), header("rs256", "rsa-1"), claims(""))),
                "alg rs256 does not match");
        assertRefused(
                decide(publicKeys, Tokens.rsa("RS256", RSA.getPrivate(), header("RS256", "ec-1"), claims(""))),
                "alg RS256 does not match JwtKey[ec-1, ES256]");
    }

    // 4. kid injection
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"../../../../etc/passwd\"",
                "\"' OR '1'='1' --\"",
                "\"http://169.254.169.254/latest/meta-data\"",
                "\"file:///dev/random\"",
                "\"a\\r\\nX-Admin: true\"",
                "42",
                "{\"$ne\":null}",
                "[\"rsa-1\"]",
                "null",
                "\"\""
            })
    void refusesHostileKids(String kid) {
        String header = "{\"alg\":\"HS256\",\"kid\":" + kid + "}";

        Decision decision = decide(hmac, Tokens.hmac("HS256", SECRET, header, claims("")));

        assertThat(decision).isInstanceOf(Decision.Reject.class);
        assertThat(((Decision.Reject) decision).status()).isEqualTo(401);
        assertThat(decision.reason().orElseThrow()).matches("(malformed|unknown) kid [\\x20-\\x7e…]*");
    }

    @Test
    void refusesAHugeKidWithoutEchoingIt() {
        String kid = "k".repeat(5000);
        Decision decision = decide(hmac, Tokens.hmac("HS256", SECRET, header("HS256", kid), claims("")));

        assertRefused(decision, "malformed kid");
        assertThat(decision.reason().orElseThrow()).hasSizeLessThan(80);
    }

    // 5. jku, x5u, jwk and x5c are not used for key selection: see JwksKeySourceTest for the no-connection proof.
    @Test
    void ignoresEmbeddedKeysAndKeyUrls() {
        RSAPublicKey attacker = (RSAPublicKey) OTHER_RSA.getPublic();
        String embedded = "{\"kty\":\"RSA\",\"n\":\"" + Tokens.b64(Tokens.unsigned(attacker.getModulus(), 256))
                + "\",\"e\":\"AQAB\"}";
        String header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jwk\":" + embedded
                + ",\"jku\":\"http://127.0.0.1:1/jwks\",\"x5u\":\"http://127.0.0.1:1/cert\",\"x5c\":[\"MIIB\"]}";

        assertRefused(
                decide(publicKeys, Tokens.rsa("RS256", OTHER_RSA.getPrivate(), header, claims(""))),
                "signature invalid");
    }

    // 6. exp
    @ParameterizedTest
    @ValueSource(strings = {"missing", "null", "\"" + 9_999_999_999L + "\"", "-1", "1e20", "true", "[1]", "past"})
    void refusesABadOrMissingExp(String exp) {
        String base = "{\"iss\":\"" + ISS + "\",\"aud\":\"" + AUD + "\",\"sub\":\"user-42\"";
        String payload = switch (exp) {
            case "missing" -> base + "}";
            case "past" -> base + ",\"exp\":" + (T - 3600) + "}";
            default -> base + ",\"exp\":" + exp + "}";
        };

        String reason = switch (exp) {
            case "missing" -> "exp missing";
            case "past", "-1" -> exp.equals("-1") ? "exp out of range" : "expired at 2026-11-25T11:00:00Z";
            case "1e20" -> "exp out of range";
            default -> "exp is not a number";
        };
        assertRefused(decide(hmac, hs256(payload)), reason);
    }

    // 7. leeway to the second, nbf, iat
    @Test
    void honoursTheLeewayToTheSecond() {
        String token = hs256(claims("").replace("\"exp\":" + (T + 300), "\"exp\":" + T));

        clock.set(NOW.plusSeconds(29));
        assertAccepted(decide(hmac, token));
        clock.set(NOW.plusSeconds(30));
        assertRefused(decide(hmac, token), "expired at 2026-11-25T12:00:00Z (leeway 30s)");

        String notYet = hs256(claims("\"nbf\":" + (T + 100)));
        clock.set(NOW.plusSeconds(100 - 30 - 1));
        assertRefused(decide(hmac, notYet), "not before 2026-11-25T12:01:40Z (leeway 30s)");
        clock.set(NOW.plusSeconds(100 - 30));
        assertAccepted(decide(hmac, notYet));

        clock.set(NOW);
        assertRefused(
                decide(hmac, hs256(claims("\"iat\":" + (T + 31)))), "issued at 2026-11-25T12:00:31Z, in the future");
        assertAccepted(decide(hmac, hs256(claims("\"iat\":" + (T + 29)))));
        assertRefused(decide(hmac, hs256(claims("\"nbf\":\"soon\""))), "nbf is not a number");
    }

    // 8. aud and iss
    @Test
    void comparesAudienceAndIssuerExactly() {
        String base = claims("");
        assertRefused(
                decide(hmac, hs256(base.replace("\"aud\":\"orders\"", "\"aud\":\"billing\""))),
                "aud expected [orders] got [billing]");
        assertRefused(
                decide(hmac, hs256(base.replace("\"aud\":\"orders\"", "\"aud\":\"order\""))),
                "aud expected [orders] got [order]");
        assertRefused(
                decide(hmac, hs256(base.replace("\"aud\":\"orders\"", "\"aud\":\"orders-admin\""))),
                "got [orders-admin]");
        assertRefused(decide(hmac, hs256(base.replace("\"aud\":\"orders\",", ""))), "aud missing");
        assertRefused(
                decide(hmac, hs256(base.replace("\"aud\":\"orders\"", "\"aud\":[\"a\",1]"))), "aud missing or not");
        assertAccepted(decide(hmac, hs256(base.replace("\"aud\":\"orders\"", "\"aud\":[\"billing\",\"orders\"]"))));

        assertRefused(
                decide(hmac, hs256(base.replace(ISS, ISS + ".evil"))), "iss https://idp.example.test.evil not trusted");
        assertRefused(decide(hmac, hs256(base.replace(ISS, "https://idp.example"))), "not trusted");
        assertRefused(
                decide(hmac, hs256(base.replace("\"iss\":\"" + ISS + "\"", "\"iss\":7"))),
                "iss missing or not a string");
    }

    // 9. signatures and segments
    @Test
    void refusesStrippedGarbageAndTamperedSignaturesAndBadSegments() {
        String valid = hs256(claims(""));
        String[] parts = valid.split("\\.");
        String tamperedPayload = Tokens.b64(claims("").replace("user-42", "user-1"));

        assertRefused(decide(hmac, parts[0] + "." + parts[1] + "."), "no signature");
        assertRefused(decide(hmac, parts[0] + "." + parts[1] + "." + Tokens.b64("garbage")), "signature invalid");
        assertRefused(decide(hmac, parts[0] + "." + tamperedPayload + "." + parts[2]), "signature invalid");
        assertRefused(decide(hmac, parts[0] + "." + parts[1]), "2 segments");
        assertRefused(decide(hmac, valid + "." + parts[2]), "4 segments");
        assertRefused(decide(hmac, valid + ".a.b"), "5 segments");
        assertRefused(decide(hmac, parts[0] + ". " + parts[1] + "." + parts[2]), "character 0x20");
        assertRefused(decide(hmac, valid + "="), "character 0x3d");
        assertRefused(decide(hmac, valid.replace('-', '+').replace('_', '/') + "+/"), "character 0x");
        assertRefused(decide(hmac, ".." + parts[2]), "empty segment");
        assertRefused(decide(hmac, Tokens.b64("not json") + "." + parts[1] + "." + parts[2]), "undecodable token");
    }

    @Test
    void refusesSecondSpellingsOfATokenWhoseLastCharacterHasUnusedBitsSet() {
        String token = hs256(claims(""));
        String[] parts = token.split("\\.");
        // 32 signature bytes are 43 characters; the last one carries 2 bits and 4 unused ones.
        char last = parts[2].charAt(42);
        String respelled = token.substring(0, token.length() - 1) + (char) (last + 1);

        assertAccepted(decide(hmac, token));
        assertThat(Base64.getUrlDecoder().decode(respelled.substring(respelled.lastIndexOf('.') + 1)))
                .isEqualTo(Base64.getUrlDecoder().decode(parts[2]));
        assertRefused(decide(hmac, respelled), "malformed token: non-canonical base64url at " + (token.length() - 1));
        assertRefused(decide(hmac, token + "AA"), "non-canonical base64url");
    }

    // 10. ECDSA psychic signatures and DER encoding
    @Test
    void refusesPsychicAndDerEncodedEcdsaSignatures() {
        String header = header("ES256", "ec-1");
        BigInteger n = ((ECPublicKey) EC.getPublic()).getParams().getOrder();
        byte[] zeros = new byte[64];
        byte[] rsN = new byte[64];
        System.arraycopy(Tokens.unsigned(n, 32), 0, rsN, 0, 32);
        System.arraycopy(Tokens.unsigned(n, 32), 0, rsN, 32, 32);
        byte[] derZeros = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};

        assertRefused(decide(publicKeys, Tokens.withSignature(header, claims(""), zeros)), "signature invalid");
        assertRefused(decide(publicKeys, Tokens.withSignature(header, claims(""), rsN)), "signature invalid");
        assertRefused(decide(publicKeys, Tokens.withSignature(header, claims(""), derZeros)), "signature invalid");
        assertRefused(
                decide(publicKeys, Tokens.ecWithDerSignature("ES256", EC.getPrivate(), header, claims(""))),
                "signature invalid");
    }

    // 13. size and depth
    @Test
    void refusesOversizedTokensAndDeepJsonUnderTheCap() {
        String big = hs256(claims("\"pad\":\"" + "x".repeat(9000) + "\""));
        assertRefused(decide(hmac, big), "chars (max 8192)");

        String deep = "{\"iss\":\"" + ISS + "\",\"deep\":" + "[".repeat(4000) + "]".repeat(4000) + "}";
        Decision decision = decide(hmac, hs256(deep));
        assertThat(((Decision.Reject) decision).status()).isEqualTo(401);
    }

    // 14. crit
    @ParameterizedTest
    @ValueSource(strings = {"[\"exp\"]", "[\"http://example.com/ext\"]", "\"b64\"", "[]", "null"})
    void refusesAnyCriticalHeader(String crit) {
        String header = "{\"alg\":\"HS256\",\"kid\":\"hs-1\",\"crit\":" + crit + "}";

        assertRefused(decide(hmac, Tokens.hmac("HS256", SECRET, header, claims(""))), "not understood");
    }

    // 15. identity-header injection through claims
    @Test
    void neverTurnsAHostileClaimIntoAHeader() {
        assertRefused(
                decide(hmac, hs256(claims("").replace("user-42", "user-123\\r\\nX-Admin: true"))),
                "sub of 23 chars is not visible ASCII");
        assertRefused(
                decide(hmac, hs256(claims("").replace("\"sub\":\"user-42\"", "\"sub\":42"))), "sub is not a string");
        assertRefused(decide(hmac, hs256(claims("").replace("user-42", "u".repeat(65536)))), "chars (max 8192)");
        assertRefused(decide(hmac, hs256(claims("").replace("user-42", "u".repeat(300)))), "sub of 300 chars");
        assertRefused(decide(hmac, hs256(claims("").replace("\"sub\":\"user-42\",", ""))), "sub missing");
        assertRefused(decide(hmac, hs256(claims("\"tenant\":\"acme\\u0000\""))), "tenant of 5 chars");
        assertRefused(decide(hmac, hs256(claims("\"scope\":\"read\\nwrite\""))), "scopes not visible ASCII");
        assertRefused(decide(hmac, hs256(claims("\"scp\":[\"read\",{}]"))), "scp is not a string or array");
    }

    // 16. typ at+jwt
    @Test
    void canRequireTheAccessTokenType() {
        AuthPolicy strict = AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(ISS, KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, SECRET)))
                .audience(AUD)
                .clock(clock)
                .requireAccessTokenType()
                .build());

        assertRefused(decide(strict, hs256(claims(""))), "typ JWT (expected: at+jwt)");
        assertRefused(
                decide(strict, Tokens.hmac("HS256", SECRET, "{\"alg\":\"HS256\",\"kid\":\"hs-1\"}", claims(""))),
                "typ missing");
        assertAccepted(decide(
                strict,
                Tokens.hmac("HS256", SECRET, "{\"alg\":\"HS256\",\"kid\":\"hs-1\",\"typ\":\"at+jwt\"}", claims(""))));
        assertAccepted(decide(
                strict,
                Tokens.hmac(
                        "HS256",
                        SECRET,
                        "{\"alg\":\"HS256\",\"kid\":\"hs-1\",\"typ\":\"application/AT+JWT\"}",
                        claims(""))));
    }

    // 17. scheme, repeated headers, query tokens
    @Test
    void bearerSchemeIsCaseInsensitiveAndCredentialsMustBeSingle() {
        String token = hs256(claims(""));
        assertAccepted(hmac.onRequest(FakeExchange.get("/").header("Authorization", "bearer " + token)));
        assertAccepted(hmac.onRequest(FakeExchange.get("/").header("Authorization", "BEARER " + token)));

        Decision twice = hmac.onRequest(FakeExchange.get("/")
                .header("Authorization", "Bearer " + token)
                .header("authorization", "Bearer " + token));
        assertThat(((Decision.Reject) twice).status()).isEqualTo(400);
        assertThat(((Decision.Reject) twice).headers().first("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).contains("error=\"invalid_request\""));

        Decision fromQuery = hmac.onRequest(FakeExchange.get("/").withQuery("access_token=" + token));
        assertThat(((Decision.Reject) fromQuery).reason()).hasValue("no credential");

        AuthPolicy queryAllowed = AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(ISS, KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, SECRET)))
                .audience(AUD)
                .clock(clock)
                .allowQueryParameter()
                .build());
        assertAccepted(queryAllowed.onRequest(FakeExchange.get("/").withQuery("a=1&access_token=" + token)));
        Decision both = queryAllowed.onRequest(
                FakeExchange.get("/").withQuery("access_token=" + token).header("Authorization", "Bearer " + token));
        assertThat(((Decision.Reject) both).status()).isEqualTo(400);
    }

    @Test
    void aCacheHitAnswersWithTheVerifiedAuthenticationAgain() {
        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .issuer(ISS, KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, SECRET)))
                .audience(AUD)
                .clock(clock)
                .build();
        FakeExchange exchange = FakeExchange.get("/").header("Authorization", "Bearer " + hs256(claims("")));

        Authentication first = jwt.authenticate(exchange);

        assertThat(first).isInstanceOf(Authentication.Authenticated.class);
        assertThat(jwt.authenticate(exchange)).isSameAs(first);
    }

    @Test
    void paddedAndDifferentlyCasedCredentialsVerifyAndNeverStandInForAnotherToken() {
        String token = hs256(claims(""));
        for (String credential :
                List.of("Bearer " + token, "Bearer   " + token + "  ", "bearer " + token, "Bearer " + token)) {
            assertAccepted(hmac.onRequest(FakeExchange.get("/").header("Authorization", credential)));
        }
        int signature = token.lastIndexOf('.') + 1;
        String altered = token.substring(0, signature)
                + (token.charAt(signature) == 'A' ? 'B' : 'A')
                + token.substring(signature + 1);
        assertRefused(decide(hmac, altered), "signature invalid");
        assertRefused(decide(hmac, token + "AAAA"), "signature invalid");
        assertRefused(decide(hmac, token + " x"), "character 0x20");
        assertRefused(decide(hmac, "x" + token), "undecodable token");
    }

    @Test
    void theCacheNeverExtendsATokensLife() {
        String token = hs256(claims("").replace("\"exp\":" + (T + 300), "\"exp\":" + (T + 60)));
        assertAccepted(decide(hmac, token));
        assertAccepted(decide(hmac, token));

        clock.set(NOW.plusSeconds(60 + 30));

        assertRefused(decide(hmac, token), "expired at 2026-11-25T12:01:00Z");
    }

    @Test
    void aCachedTokenIsStillAcceptedAndAForgeryOfItIsNot() {
        String token = hs256(claims(""));
        assertAccepted(decide(hmac, token));

        String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "AB" : "AA");
        assertRefused(decide(hmac, forged), "signature invalid");
        assertAccepted(decide(hmac, token));
    }

    @Test
    void neverAnswers5xxForAnyTokenInput() {
        SecureRandom random = new SecureRandom();
        String valid = hs256(claims(""));
        for (int i = 0; i < 2000; i++) {
            char[] chars = valid.toCharArray();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                chars[random.nextInt(chars.length)] = (char) (0x20 + random.nextInt(0x5f));
            }
            Decision decision = decide(hmac, new String(chars));
            if (decision instanceof Decision.Reject reject) {
                assertThat(reject.status()).isBetween(400, 499);
            }
        }
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
