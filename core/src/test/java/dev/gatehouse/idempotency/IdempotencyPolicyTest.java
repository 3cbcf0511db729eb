package dev.gatehouse.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REQUIREMENTS.md §2 with the in-memory store; the execution counter is the proof in every test. */
class IdempotencyPolicyTest {
    static final String KEY = "\"8e03978e-40d5-43e8-bc93-6894a57f9324\"";

    final AtomicLong nanos = new AtomicLong();
    final InMemoryIdempotencyStore store = InMemoryIdempotencyStore.withNanoClock(10_000, nanos::get);
    final AtomicInteger executions = new AtomicInteger();

    IdempotencyPolicy.Builder policy() {
        return IdempotencyPolicy.builder(store).lease(Duration.ofSeconds(30)).ttl(Duration.ofHours(24));
    }

    /** The service: counts, answers 201 with a body naming the execution, or what {@code answer} says. */
    Function<Exchange, FakeResponse> service(int status) {
        return exchange -> {
            int n = executions.incrementAndGet();
            return FakeResponse.of(status)
                    .header("Content-Type", "application/json")
                    .header("Location", "/payments/" + n)
                    .header("Set-Cookie", "session=" + n)
                    .header("Date", "Wed, 25 Nov 2026 12:00:0" + (n % 10) + " GMT")
                    .withBody("{\"payment\":" + n + "}");
        };
    }

    static FakeExchange post(String body) {
        return FakeExchange.post("/payments").header("Idempotency-Key", KEY).withBody(body);
    }

    FakeResponse send(PolicyChain chain, FakeExchange exchange, int status) {
        return FakeHost.serve(chain, exchange, service(status));
    }

    @Test
    void aServicesOwnErrorForARequestItNeverDeliveredIsNeverReplayed() {
        PolicyChain chain =
                PolicyChain.of(policy().lease(Duration.ofSeconds(10)).build());
        int[] calls = {0};

        FakeResponse refused = FakeHost.serve(chain, post("{\"amount\":42}"), exchange -> {
            calls[0]++;
            exchange.setAttribute(IdempotencyPolicy.UNDELIVERED, IdempotencyPolicy.Undelivered.NOT_SENT);
            return FakeResponse.of(502)
                    .header("Content-Type", "application/problem+json")
                    .withBody("{}");
        });
        FakeResponse retried = send(chain, post("{\"amount\":42}"), 201);
        FakeResponse timedOut = FakeHost.serve(
                chain,
                FakeExchange.post("/payments")
                        .header("Idempotency-Key", "\"other\"")
                        .withBody("{\"amount\":43}"),
                exchange -> {
                    exchange.setAttribute(IdempotencyPolicy.UNDELIVERED, IdempotencyPolicy.Undelivered.NO_ANSWER);
                    return FakeResponse.of(504).withBody("{}");
                });
        FakeResponse duringLease = send(
                chain,
                FakeExchange.post("/payments")
                        .header("Idempotency-Key", "\"other\"")
                        .withBody("{\"amount\":43}"),
                201);
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        FakeResponse afterLease = send(
                chain,
                FakeExchange.post("/payments")
                        .header("Idempotency-Key", "\"other\"")
                        .withBody("{\"amount\":43}"),
                201);

        assertThat(refused.status()).isEqualTo(502);
        assertThat(retried.status()).as("the key was released: the retry ran").isEqualTo(201);
        assertThat(retried.headers().first("Idempotent-Replayed")).isEmpty();
        assertThat(timedOut.status()).isEqualTo(504);
        assertThat(duringLease.status()).as("the origin may still be acting").isEqualTo(409);
        assertThat(afterLease.status()).isEqualTo(201);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void aRetryGetsTheRecordedResponseByteForByteWithoutReachingTheService() {
        PolicyChain chain = PolicyChain.of(policy().build());

        FakeResponse first = send(chain, post("{\"amount\":42}"), 201);
        FakeResponse retry = send(chain, post("{\"amount\":42}"), 500);

        assertThat(executions).hasValue(1);
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().first("Location")).hasValue("/payments/1");
        assertThat(retry.headers().first("Idempotent-Replayed")).hasValue("true");
        assertThat(first.headers().contains("Idempotent-Replayed")).isFalse();
        assertThat(retry.headers().contains("Set-Cookie"))
                .as("cookies are not replayed")
                .isFalse();
        assertThat(retry.headers().contains("Date")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 409, 500, 503})
    void errorsAreReplayedToo(int status) {
        PolicyChain chain = PolicyChain.of(policy().build());

        FakeResponse first = send(chain, post("{}"), status);
        FakeResponse retry = send(chain, post("{}"), 201);

        assertThat(executions).hasValue(1);
        assertThat(retry.status()).isEqualTo(status);
        assertThat(retry.body()).isEqualTo(first.body());
    }

    @Test
    void onlyPostAndPatchAreAffected() {
        PolicyChain chain = PolicyChain.of(policy().required().build());
        for (int i = 0; i < 2; i++) {
            FakeHost.serve(chain, FakeExchange.get("/payments").header("Idempotency-Key", KEY), service(200));
            FakeHost.serve(
                    chain, FakeExchange.of("DELETE", "/payments/1").header("Idempotency-Key", KEY), service(204));
        }
        assertThat(executions).hasValue(4);

        send(
                chain,
                FakeExchange.of("PATCH", "/payments/1")
                        .header("Idempotency-Key", KEY)
                        .withBody("{}"),
                200);
        send(
                chain,
                FakeExchange.of("PATCH", "/payments/1")
                        .header("Idempotency-Key", KEY)
                        .withBody("{}"),
                200);
        assertThat(executions).hasValue(5);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"\"",
                "\"a\", \"b\"",
                "\"unterminated",
                "\"caf\u00e9\"",
                "\"tab\tinside\"",
                "\"bad\\escape\"",
                "1abc",
                "a key with spaces"
            })
    void malformedKeysAre400AndNothingIsRecorded(String key) {
        PolicyChain chain = PolicyChain.of(policy().build());

        FakeResponse response = send(chain, FakeExchange.post("/payments").header("Idempotency-Key", key), 201);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(executions).hasValue(0);
    }

    @Test
    void twoKeyFieldsAre400() {
        PolicyChain chain = PolicyChain.of(policy().build());
        FakeResponse response = send(chain, post("{}").header("idempotency-key", "\"other\""), 201);

        assertThat(response.status()).isEqualTo(400);
        assertThat(executions).hasValue(0);
    }

    @Test
    void aMissingKeyIs400WhenRequiredAndRunsOtherwise() {
        FakeResponse refused = send(PolicyChain.of(policy().required().build()), FakeExchange.post("/payments"), 201);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(executions).hasValue(0);

        send(PolicyChain.of(policy().build()), FakeExchange.post("/payments"), 201);
        send(PolicyChain.of(policy().build()), FakeExchange.post("/payments"), 201);
        assertThat(executions).hasValue(2);
    }

    @Test
    void concurrentDuplicatesGet409WhileTheFirstRuns() throws Exception {
        PolicyChain chain = PolicyChain.of(policy().build());
        ExecutorService threads = Executors.newFixedThreadPool(10);
        List<Future<FakeResponse>> responses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            responses.add(threads.submit(() -> FakeHost.serve(chain, post("{\"amount\":42}"), exchange -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return service(201).apply(exchange);
            })));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<FakeResponse> response : responses) {
            statuses.add(response.get().status());
        }
        threads.shutdown();

        assertThat(executions).hasValue(1);
        assertThat(statuses).containsOnly(201, 409);
        assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        FakeResponse afterwards = send(chain, post("{\"amount\":42}"), 500);
        assertThat(afterwards.status()).isEqualTo(201);
    }

    @Test
    void theSameKeyWithADifferentRequestIs422() {
        PolicyChain chain = PolicyChain.of(policy().build());
        send(chain, post("{\"amount\":42,\"currency\":\"EUR\"}"), 201);

        assertThat(send(chain, post("{\"amount\":43,\"currency\":\"EUR\"}"), 201)
                        .status())
                .isEqualTo(422);
        assertThat(send(chain, post("{\"currency\":\"EUR\",\"amount\":42}"), 201)
                        .status())
                .as("fingerprints are raw bytes: reordered JSON is a different request")
                .isEqualTo(422);
        FakeExchange otherPath = FakeExchange.post("/refunds")
                .header("Idempotency-Key", KEY)
                .withBody("{\"amount\":42,\"currency\":\"EUR\"}");
        assertThat(send(chain, otherPath, 201).status()).isEqualTo(422);
        assertThat(executions).hasValue(1);
    }

    @Test
    void keysAreScopedByPrincipal() {
        PolicyChain chain = PolicyChain.of(policy().build());

        FakeResponse alice = send(chain, as(post("{}"), "alice"), 201);
        FakeResponse bob = send(chain, as(post("{}"), "bob"), 201);
        FakeResponse aliceAgain = send(chain, as(post("{}"), "alice"), 201);

        assertThat(executions).hasValue(2);
        assertThat(bob.headers().contains("Idempotent-Replayed")).isFalse();
        assertThat(bob.bodyText()).isNotEqualTo(alice.bodyText());
        assertThat(aliceAgain.bodyText()).isEqualTo(alice.bodyText());
    }

    @Test
    void theSameSubjectFromAnotherIssuerIsAnotherPrincipal() {
        // RFC 7519: "sub" is unique within its issuer; another identity provider's "alice" is someone else.
        PolicyChain chain = PolicyChain.of(policy().build());

        FakeResponse victim = send(chain, as(post("{}"), "alice", "https://idp.example"), 201);
        FakeResponse other = send(chain, as(post("{}"), "alice", "https://other-idp.example"), 201);

        assertThat(executions).hasValue(2);
        assertThat(other.headers().contains("Idempotent-Replayed")).isFalse();
        assertThat(other.bodyText()).isNotEqualTo(victim.bodyText());
    }

    static FakeExchange as(FakeExchange exchange, String subject, String issuer) {
        exchange.setAttribute(
                Principal.KEY,
                new Principal(
                        subject, Optional.empty(), Set.of(), Optional.empty(), Map.of(), "jwt", Optional.of(issuer)));
        return exchange;
    }

    static FakeExchange as(FakeExchange exchange, String subject) {
        exchange.setAttribute(
                Principal.KEY, new Principal(subject, Optional.empty(), Set.of(), Optional.empty(), Map.of(), "jwt"));
        return exchange;
    }

    @Test
    void anExpiredRecordIsANewRequest() {
        PolicyChain chain = PolicyChain.of(policy().ttl(Duration.ofSeconds(1)).build());
        send(chain, post("{}"), 201);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        send(chain, post("{}"), 201);
        assertThat(executions).hasValue(1);

        nanos.addAndGet(Duration.ofMillis(2).toNanos());
        send(chain, post("{}"), 201);
        assertThat(executions).hasValue(2);
    }

    @Test
    void requestsRefusedByAnyPolicyAreNotRecorded() {
        PolicyChain chain = PolicyChain.builder()
                .add("idempotency", policy().build())
                .add(
                        "auth",
                        exchange -> exchange.requestHeaders().contains("Authorization")
                                ? Decision.proceed()
                                : Decision.reject(401, "Log in."))
                .build();

        FakeResponse refused = send(chain, post("{}"), 201);
        FakeResponse corrected = send(chain, post("{}").header("Authorization", "Bearer ok"), 201);

        assertThat(refused.status()).isEqualTo(401);
        assertThat(corrected.status()).isEqualTo(201);
        assertThat(corrected.headers().contains("Idempotent-Replayed")).isFalse();
        assertThat(executions).hasValue(1);
    }

    @Test
    void aCrashedRequestFreesItsKeyWhenTheLeaseEnds() {
        IdempotencyPolicy policy = policy().lease(Duration.ofSeconds(30)).build();
        PolicyChain chain = PolicyChain.of(policy);
        // The first request claims the key and then dies: no response, no completion.
        assertThat(ChainRun.start(chain, post("{}")).proceeds()).isTrue();

        assertThat(send(chain, post("{}"), 201).status()).isEqualTo(409);
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        FakeResponse retry = send(chain, post("{}"), 201);

        assertThat(retry.status()).isEqualTo(201);
        assertThat(executions).hasValue(1);
    }

    @Test
    void anOversizedResponseRunsOnceAndIsNotReplayed() {
        PolicyChain chain = PolicyChain.of(policy().maxStoredBodyBytes(8).build());

        FakeResponse first = send(chain, post("{}"), 201);
        FakeResponse retry = send(chain, post("{}"), 201);

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(409);
        assertThat(retry.bodyText()).contains("will not run again");
        assertThat(executions).hasValue(1);
    }

    @Test
    void keysWithAnyCharactersDoNotCollide() {
        PolicyChain chain = PolicyChain.of(policy().build());
        for (String key : List.of("\"*\"", "\"a:b\"", "\"a b\"", "\"a:b \"", "\"" + "x".repeat(255) + "\"")) {
            send(
                    chain,
                    FakeExchange.post("/payments")
                            .header("Idempotency-Key", key)
                            .withBody("{}"),
                    201);
        }
        assertThat(executions).hasValue(5);
    }

    @Test
    void requestsTheKeyDoesNotApplyToStreamTheirBodyUnread() {
        PolicyChain chain = PolicyChain.of(policy().maxBodyBytes(16).build());
        String large = "{\"note\":\"" + "x".repeat(100) + "\"}";
        FakeExchange unkeyed = FakeExchange.post("/payments").withBody(large);
        FakeExchange get =
                FakeExchange.get("/payments").header("Idempotency-Key", KEY).withBody(large);
        FakeExchange malformed =
                FakeExchange.post("/payments").header("Idempotency-Key", "a b").withBody(large);

        assertThat(send(chain, unkeyed, 201).status()).isEqualTo(201);
        assertThat(send(chain, get, 200).status()).isEqualTo(200);
        assertThat(send(chain, malformed, 201).status()).isEqualTo(400);

        assertThat(List.of(unkeyed.bodyReads(), get.bodyReads(), malformed.bodyReads()))
                .containsOnly(0);
        assertThat(executions).hasValue(2);
    }

    @Test
    void aKeyWithParametersIsTheSameKeyWithout() {
        PolicyChain chain = PolicyChain.of(policy().build());

        send(chain, post("{}"), 201);
        FakeResponse retry = send(
                chain,
                FakeExchange.post("/payments")
                        .header("Idempotency-Key", KEY + ";v=1")
                        .withBody("{}"),
                201);

        assertThat(retry.headers().first("Idempotent-Replayed")).hasValue("true");
        assertThat(executions).hasValue(1);
    }

    @Test
    void aBodyLargerThanTheFingerprintLimitIs413() {
        PolicyChain chain = PolicyChain.of(policy().maxBodyBytes(16).build());

        FakeResponse response = send(chain, post("{\"amount\":42,\"note\":\"long enough\"}"), 201);

        assertThat(response.status()).isEqualTo(413);
        assertThat(executions).hasValue(0);
    }
}
