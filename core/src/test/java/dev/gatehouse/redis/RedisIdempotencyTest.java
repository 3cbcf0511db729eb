package dev.gatehouse.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.ResilientIdempotencyStore;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.Race;
import dev.gatehouse.testing.RedisSupport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** REQUIREMENTS.md §2 items 12 and 13, and replay after a restart, against a real redis-server. */
class RedisIdempotencyTest {
    final AtomicInteger executions = new AtomicInteger();

    Function<Exchange, FakeResponse> service(long sleepMillis) {
        return exchange -> {
            int n = executions.incrementAndGet();
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeResponse.of(201)
                    .header("Content-Type", "application/json")
                    .withBody("{\"payment\":" + n + "}");
        };
    }

    static FakeExchange post(String key) {
        return FakeExchange.post("/payments")
                .header("Idempotency-Key", "\"" + key + "\"")
                .withBody("{\"amount\":42}");
    }

    @Test
    void twoInstancesRacingWithOneKeyExecuteOnce() throws Exception {
        String url = RedisSupport.requireRedis();
        String key = UUID.randomUUID().toString();
        try (RedisIdempotencyStore first = RedisIdempotencyStore.builder(url).build();
                RedisIdempotencyStore second =
                        RedisIdempotencyStore.builder(url).build()) {
            PolicyChain a = PolicyChain.of(IdempotencyPolicy.builder(first).build());
            PolicyChain b = PolicyChain.of(IdempotencyPolicy.builder(second).build());
            List<Integer> statuses = Race.of(20, i -> {
                PolicyChain chain = i % 2 == 0 ? a : b;
                return () -> FakeHost.serve(chain, post(key), service(300)).status();
            });

            assertThat(executions).hasValue(1);
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        }
    }

    @Test
    void aRestartedGatewayReplaysWhatTheOldOneStored() {
        String url = RedisSupport.requireRedis();
        String key = UUID.randomUUID().toString();
        FakeResponse original;
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(url).build()) {
            original = FakeHost.serve(
                    PolicyChain.of(IdempotencyPolicy.builder(store).build()), post(key), service(0));
        }
        try (RedisIdempotencyStore restarted =
                RedisIdempotencyStore.builder(url).build()) {
            FakeResponse replay = FakeHost.serve(
                    PolicyChain.of(IdempotencyPolicy.builder(restarted).build()), post(key), service(0));

            assertThat(executions).hasValue(1);
            assertThat(replay.status()).isEqualTo(201);
            assertThat(replay.body()).isEqualTo(original.body());
            assertThat(replay.headers().first("Content-Type")).hasValue("application/json");
            assertThat(replay.headers().first("Idempotent-Replayed")).hasValue("true");

            FakeExchange different = FakeExchange.post("/payments")
                    .header("Idempotency-Key", "\"" + key + "\"")
                    .withBody("{\"amount\":43}");
            assertThat(FakeHost.serve(
                                    PolicyChain.of(
                                            IdempotencyPolicy.builder(restarted).build()),
                                    different,
                                    service(0))
                            .status())
                    .isEqualTo(422);
        }
    }

    @Test
    void aLeaseEndsOnRedisToo() throws Exception {
        String url = RedisSupport.requireRedis();
        String key = UUID.randomUUID().toString();
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(url).build()) {
            IdempotencyPolicy policy = IdempotencyPolicy.builder(store)
                    .lease(Duration.ofMillis(300))
                    .build();
            ChainRun.start(PolicyChain.of(policy), post(key)); // claims, then "crashes"

            assertThat(FakeHost.serve(PolicyChain.of(policy), post(key), service(0))
                            .status())
                    .isEqualTo(409);
            Thread.sleep(400);
            assertThat(FakeHost.serve(PolicyChain.of(policy), post(key), service(0))
                            .status())
                    .isEqualTo(201);
            assertThat(executions).hasValue(1);
        }
    }

    @Test
    void aRequestThatOutlivedItsLeaseIsStillRecordedUnlessAnotherClaimedTheKey() throws Exception {
        String url = RedisSupport.requireRedis();
        String slow = UUID.randomUUID().toString();
        String overtaken = UUID.randomUUID().toString();
        Duration lease = Duration.ofMillis(200);
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(url).build()) {
            String slowToken = ((IdempotencyStore.Claim.Claimed) store.claim(slow, "fp", lease)).token();
            String overtakenToken = ((IdempotencyStore.Claim.Claimed) store.claim(overtaken, "fp", lease)).token();
            Thread.sleep(400); // Redis expires the claims on its own clock
            assertThat(store.claim(overtaken, "fp", Duration.ofMinutes(1)))
                    .isInstanceOf(IdempotencyStore.Claim.Claimed.class);

            store.complete(
                    slow,
                    slowToken,
                    "fp",
                    Optional.of(StoredResponse.of(201, Headers.empty(), new byte[0])),
                    Duration.ofMinutes(1));
            store.complete(overtaken, overtakenToken, "fp", Optional.empty(), Duration.ofMinutes(1));

            assertThat(store.claim(slow, "fp", lease)).isInstanceOf(IdempotencyStore.Claim.Completed.class);
            assertThat(store.claim(overtaken, "fp", lease)).isInstanceOf(IdempotencyStore.Claim.InFlight.class);
        }
    }

    @Test
    void aDeadStoreFailsClosedByDefaultOrOpenWhenConfigured() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisIdempotencyStore store = RedisIdempotencyStore.builder(redis.url())
                        .commandTimeout(Duration.ofMillis(200))
                        .build()) {
            PolicyChain closed = PolicyChain.of(IdempotencyPolicy.builder(store).build());
            PolicyChain open = PolicyChain.of(IdempotencyPolicy.builder(
                            ResilientIdempotencyStore.builder(store).failOpen().build())
                    .build());
            redis.kill();

            FakeResponse refused = FakeHost.serve(closed, post("k1"), service(0));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers().first("Retry-After")).hasValue("1");
            assertThat(executions).hasValue(0);

            FakeResponse admitted = FakeHost.serve(open, post("k2"), service(0));
            assertThat(admitted.status()).isEqualTo(201);
            assertThat(executions).hasValue(1);
        }
    }
}
