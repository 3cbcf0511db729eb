package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Decision;
import dev.gatehouse.testing.CapturingLogger;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.Tokens;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** JWKS against a real local HTTP server: rotation, unknown-kid floods, an endpoint that is down or slow. */
class JwksKeySourceTest {
    static final KeyPair KEY_A = JwtAuthenticatorTest.RSA;
    static final KeyPair KEY_B = JwtAuthenticatorTest.OTHER_RSA;
    static final KeyPair ATTACKER = Tokens.rsaKeyPair(2048);

    final MutableClock clock = new MutableClock(JwtAuthenticatorTest.NOW);
    final AtomicLong nanos = new AtomicLong();
    final AtomicInteger attackerHits = new AtomicInteger();
    final AtomicLong endlessSent = new AtomicLong();
    final java.util.concurrent.CountDownLatch endlessDone = new java.util.concurrent.CountDownLatch(1);
    volatile String document;
    volatile int status = 200;
    volatile long delayMillis;
    HttpServer server;
    URI jwksUri;

    @BeforeEach
    void startIssuer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", exchange -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/endless", exchange -> {
            // A chunked body without end: written until the client goes away.
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = " ".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = exchange.getResponseBody()) {
                while (endlessSent.get() < 1L << 31) {
                    out.write(chunk);
                    endlessSent.addAndGet(chunk.length);
                }
            } catch (IOException clientGone) {
                // expected
            } finally {
                endlessDone.countDown();
            }
        });
        server.createContext("/attacker", exchange -> {
            attackerHits.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        jwksUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
        document = jwks(jwk("a", KEY_A));
    }

    @AfterEach
    void stopIssuer() {
        server.stop(0);
    }

    static String jwk(String kid, KeyPair pair) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return KeySetTest.rsaJwk(kid, key.getModulus(), key.getPublicExponent(), ",\"use\":\"sig\",\"alg\":\"RS256\"");
    }

    static String jwks(String... keys) {
        return KeySetTest.jwks(keys);
    }

    JwksKeySource.Builder source() {
        // A timeout a loaded machine cannot miss; the slow-endpoint test sets its own.
        return JwksKeySource.builder(jwksUri).timeout(Duration.ofSeconds(3)).nanoClock(nanos::get);
    }

    AuthPolicy policy(JwksKeySource keys) {
        return AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(JwtAuthenticatorTest.ISS, keys)
                .audience(JwtAuthenticatorTest.AUD)
                .clock(clock)
                .cache(Duration.ZERO, 0)
                .build());
    }

    static String token(String kid, KeyPair pair) {
        return Tokens.rsa(
                "RS256", pair.getPrivate(), JwtAuthenticatorTest.header("RS256", kid), JwtAuthenticatorTest.claims(""));
    }

    static Decision decide(AuthPolicy policy, String token) {
        return JwtAuthenticatorTest.decide(policy, token);
    }

    @Test
    void followsKeyRotation() {
        try (JwksKeySource keys = source().build()) {
            AuthPolicy policy = policy(keys);
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));

            document = jwks(jwk("a", KEY_A), jwk("b", KEY_B));
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("b", KEY_B)));

            document = jwks(jwk("b", KEY_B));
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());
            JwtAuthenticatorTest.assertRefused(decide(policy, token("c", KEY_B)), "unknown kid c");
            JwtAuthenticatorTest.assertRefused(decide(policy, token("a", KEY_A)), "unknown kid a");
            assertThat(keys.fetches()).isEqualTo(3);
        }
    }

    @Test
    void aFloodOfUnknownKidsCostsOneFetchAndKnownKeysKeepWorking() throws Exception {
        try (JwksKeySource keys = source().build()) {
            AuthPolicy policy = policy(keys);
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());
            String valid = token("a", KEY_A);

            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<Decision>> flood = new ArrayList<>();
            List<Future<Decision>> legit = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String bogus = token(UUID.randomUUID().toString(), ATTACKER);
                flood.add(threads.submit(() -> decide(policy, bogus)));
                if (i % 50 == 0) {
                    legit.add(threads.submit(() -> decide(policy, valid)));
                }
            }
            for (Future<Decision> decision : flood) {
                JwtAuthenticatorTest.assertRefused(decision.get(), "unknown kid");
            }
            for (Future<Decision> decision : legit) {
                JwtAuthenticatorTest.assertAccepted(decision.get());
            }
            threads.shutdown();

            LoggerFactory.getLogger(getClass()).info("JWKS fetches for 1000 unknown kids: {}", keys.fetches() - 1);
            assertThat(keys.fetches()).isEqualTo(2);
        }
    }

    @Test
    void keysFetchedBeforeKeepWorkingWhenTheEndpointIsDown() {
        try (JwksKeySource keys = source().build()) {
            AuthPolicy policy = policy(keys);
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));

            server.stop(0);
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());

            JwtAuthenticatorTest.assertRefused(decide(policy, token("b", KEY_B)), "unknown kid b");
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
            assertThat(keys.fetches()).isEqualTo(2);
        }
    }

    @Test
    void keysFetchedBeforeKeepWorkingWhenTheEndpointErrsOrServesGarbage() {
        try (JwksKeySource keys = source().build()) {
            AuthPolicy policy = policy(keys);
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));

            status = 500;
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());
            JwtAuthenticatorTest.assertRefused(decide(policy, token("b", KEY_B)), "unknown kid b");

            status = 200;
            document = "{\"keys\": 7}";
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());
            JwtAuthenticatorTest.assertRefused(decide(policy, token("b", KEY_B)), "unknown kid b");

            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
        }
    }

    @Test
    void aSlowEndpointCostsAtMostTheTimeoutAndOldKeysStay() {
        try (JwksKeySource keys = source().timeout(Duration.ofMillis(300)).build()) {
            AuthPolicy policy = policy(keys);
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));

            delayMillis = 3000;
            nanos.addAndGet(Duration.ofSeconds(11).toNanos());
            long start = System.nanoTime();
            Decision decision = decide(policy, token("b", KEY_B));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            JwtAuthenticatorTest.assertRefused(decision, "unknown kid b");
            assertThat(waited).isLessThan(Duration.ofMillis(2500));
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
        }
    }

    @Test
    void aBodyWithoutEndIsAbandonedAtMaxDocumentBytes() throws Exception {
        URI endless = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/endless");
        try (JwksKeySource keys = JwksKeySource.builder(endless)
                .timeout(Duration.ofSeconds(10))
                .maxDocumentBytes(256 * 1024)
                .nanoClock(nanos::get)
                .build()) {
            long start = System.nanoTime();
            Decision decision = decide(policy(keys), token("a", KEY_A));

            JwtAuthenticatorTest.assertRefused(decision, "unknown kid a");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(endlessDone.await(10, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the client hung up")
                    .isTrue();
            assertThat(endlessSent.get())
                    .as("read no further than the bound and the socket buffers")
                    .isLessThan(16L * 1024 * 1024);
        }
    }

    @Test
    void skipsUnusableKeysThatTheIssuerPublishes() {
        document =
                jwks(jwk("a", KEY_A), KeySetTest.rsaJwk("enc", ",\"use\":\"enc\""), "{\"kty\":\"OKP\",\"kid\":\"ed\"}");
        try (JwksKeySource keys = source().build()) {
            JwtAuthenticatorTest.assertAccepted(decide(policy(keys), token("a", KEY_A)));
            assertThat(keys.keys()).hasSize(1);
        }
    }

    @Test
    void neverTakesHmacSecretsFromAFetchedJwks() {
        String oct = "{\"kty\":\"oct\",\"kid\":\"published-secret\",\"alg\":\"HS256\",\"k\":\""
                + Tokens.b64(JwtAuthenticatorTest.SECRET) + "\"}";
        document = jwks(oct, jwk("a", KEY_A));
        CapturingLogger log = new CapturingLogger("jwks", Level.WARN);
        try (JwksKeySource keys = source().logger(log).build()) {
            AuthPolicy policy = policy(keys);
            String hs256 = Tokens.hmac(
                    "HS256",
                    JwtAuthenticatorTest.SECRET,
                    JwtAuthenticatorTest.header("HS256", "published-secret"),
                    JwtAuthenticatorTest.claims(""));

            JwtAuthenticatorTest.assertRefused(decide(policy, hs256), "unknown kid published-secret");
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
            assertThat(keys.keys()).extracting(JwtKey::algorithm).containsExactly(JwtAlgorithm.RS256);
            assertThat(log.events())
                    .anySatisfy(event -> assertThat(event.message())
                            .startsWith("JWKS " + jwksUri + ": skipped JWKS key #0: kid published-secret is an HMAC"
                                    + " secret"));
        }
    }

    @Test
    void aFetchedKidlessSecretIsNotUsedEvenAlone() {
        String oct = "{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"" + Tokens.b64(JwtAuthenticatorTest.SECRET) + "\"}";
        document = jwks(oct);
        try (JwksKeySource keys =
                source().logger(new CapturingLogger("jwks", Level.WARN)).build()) {
            String hs256 = Tokens.hmac(
                    "HS256", JwtAuthenticatorTest.SECRET, "{\"alg\":\"HS256\"}", JwtAuthenticatorTest.claims(""));

            JwtAuthenticatorTest.assertRefused(decide(policy(keys), hs256), "no kid and 0 HMAC keys");
            assertThat(keys.keys()).isEmpty();
        }
    }

    @Test
    void skipsKeysWithTheRocaFingerprintWithAWarning() {
        String roca = KeySetTest.rsaJwk("infineon", RocaFingerprintTest.VULNERABLE, BigInteger.valueOf(65537), "");
        document = jwks(roca, jwk("a", KEY_A));
        CapturingLogger log = new CapturingLogger("jwks", Level.WARN);
        try (JwksKeySource keys = source().logger(log).build()) {
            JwtAuthenticatorTest.assertAccepted(decide(policy(keys), token("a", KEY_A)));
            assertThat(keys.find("infineon")).isEmpty();
            assertThat(log.events())
                    .anySatisfy(event -> assertThat(event.message())
                            .contains("skipped JWKS key #0: RSA key infineon: the modulus has the ROCA fingerprint"));
        }
    }

    @Test
    void selectsAFetchedKidlessKeyAloneInItsFamily() {
        document = jwks(jwk("a", KEY_A).replace("\"kid\":\"a\",", ""));
        try (JwksKeySource keys = source().build()) {
            AuthPolicy policy = policy(keys);

            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
            JwtAuthenticatorTest.assertAccepted(decide(
                    policy,
                    Tokens.rsa("RS256", KEY_A.getPrivate(), "{\"alg\":\"RS256\"}", JwtAuthenticatorTest.claims(""))));
        }
    }

    @Test
    void neverFollowsKeyUrlsOrEmbeddedKeysInTheToken() {
        try (JwksKeySource keys = source().build()) {
            String attackerBase = "http://127.0.0.1:" + server.getAddress().getPort() + "/attacker";
            RSAPublicKey attacker = (RSAPublicKey) ATTACKER.getPublic();
            String header = "{\"alg\":\"RS256\",\"kid\":\"evil\",\"jku\":\"" + attackerBase + "/jwks\",\"x5u\":\""
                    + attackerBase + "/cert\",\"jwk\":" + jwk("evil", ATTACKER) + ",\"x5c\":[\""
                    + Tokens.b64(attacker.getEncoded()) + "\"]}";
            String forged = Tokens.rsa("RS256", ATTACKER.getPrivate(), header, JwtAuthenticatorTest.claims(""));

            JwtAuthenticatorTest.assertRefused(decide(policy(keys), forged), "unknown kid evil");
            assertThat(attackerHits).hasValue(0);
        }
    }

    @Test
    void refreshesInTheBackground() throws Exception {
        try (JwksKeySource keys = JwksKeySource.builder(jwksUri)
                .refreshInterval(Duration.ofSeconds(1))
                .minRefetchInterval(Duration.ofHours(1))
                .build()) {
            AuthPolicy policy = policy(keys);
            JwtAuthenticatorTest.assertAccepted(decide(policy, token("a", KEY_A)));
            document = jwks(jwk("a", KEY_A), jwk("b", KEY_B));

            // No fetch on demand (minRefetchInterval is an hour): only the background refresh can bring key b, and a
            // busy machine may take a while to swap it in.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Decision decision = decide(policy, token("b", KEY_B));
            while (!(decision instanceof Decision.Proceed) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                decision = decide(policy, token("b", KEY_B));
            }

            JwtAuthenticatorTest.assertAccepted(decision);
        }
    }

    @Test
    void aJwksLookupFailureIsA401NeverA5xx() {
        server.stop(0);
        try (JwksKeySource keys = source().build()) {
            Decision decision = JwtAuthenticatorTest.decide(policy(keys), token("a", KEY_A));
            JwtAuthenticatorTest.assertRefused(decision, "unknown kid a");
        }
    }
}
