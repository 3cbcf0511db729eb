package dev.gatehouse.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RedisSupport;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Redis store on a real three-master Redis Cluster and a real Sentinel group (with a failover). */
class RedisTopologiesTest {
    static final List<Limit> TEN_PER_HOUR = List.of(Limit.of("hour", 10, Duration.ofHours(1)));

    /** 20 clients (their buckets spread over the cluster's slots), 30 attempts each, from two instances. */
    static int admittedAcross(BucketStore first, BucketStore second) throws Exception {
        String run = UUID.randomUUID().toString();
        return RedisRateLimitTest.race(20, 30, t -> {
            BucketStore instance = t % 2 == 0 ? first : second;
            String client = run + "-" + (t / 2); // two threads per client, one on each instance
            return () -> instance.tryConsume(client, TEN_PER_HOUR, 1).consumed();
        });
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnACluster {
        RedisSupport.Cluster cluster;

        @BeforeAll
        void start() throws Exception {
            RedisSupport.requireRedis();
            cluster = new RedisSupport.Cluster();
        }

        @AfterAll
        void stop() throws Exception {
            if (cluster != null) cluster.close();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"script", "bucket4j"})
        void aBucketAdmitsExactlyTheQuotaPerKeyAcrossTwoInstances(String kind) throws Exception {
            try (AutoCloseable first = bucketStore(kind, cluster.url());
                    AutoCloseable second = bucketStore(kind, cluster.url())) {
                assertThat(admittedAcross((BucketStore) first, (BucketStore) second))
                        .isEqualTo(10 * 10);
            }
        }

        @Test
        void idempotencyExecutesOnceAndReplaysFromAnotherInstance() {
            try (RedisIdempotencyStore first =
                            RedisIdempotencyStore.builder(cluster.url()).build();
                    RedisIdempotencyStore second =
                            RedisIdempotencyStore.builder(cluster.url()).build()) {
                assertExecutesOnceAndReplays(first, second);
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithSentinel {
        RedisSupport.Sentinel group;

        @BeforeAll
        void start() throws Exception {
            RedisSupport.requireRedis();
            group = new RedisSupport.Sentinel();
        }

        @AfterAll
        void stop() throws Exception {
            if (group != null) group.close();
        }

        @Test
        void storesFollowAFailoverToTheReplicaWithoutRestart() throws Exception {
            try (RedisTokenBucketStore buckets = RedisTokenBucketStore.builder(group.url())
                            .commandTimeout(Duration.ofMillis(500))
                            .build();
                    RedisIdempotencyStore idempotency = RedisIdempotencyStore.builder(group.url())
                            .commandTimeout(Duration.ofMillis(500))
                            .build()) {
                String client = "sentinel-" + UUID.randomUUID();
                for (int i = 0; i < 4; i++) {
                    assertThat(buckets.tryConsume(client, TEN_PER_HOUR, 1).consumed())
                            .isTrue();
                }
                assertExecutesOnceAndReplays(idempotency, idempotency);
                group.awaitReplicated();

                group.master().kill();
                group.awaitFailover();
                Consumption after = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (after == null && System.nanoTime() < deadline) {
                    try {
                        after = buckets.tryConsume(client, TEN_PER_HOUR, 1);
                    } catch (StoreUnavailableException reconnecting) {
                        Thread.sleep(100);
                    }
                }

                assertThat(after)
                        .as("decisions again on the new master, without a restart")
                        .isNotNull();
                assertThat(after.consumed()).isTrue();
                assertThat(after.remaining())
                        .as("the four replicated decisions survived the failover")
                        .containsExactly(5);
                // The idempotency store's own connection may still be reconnecting: ask until it answers.
                FakeResponse replay = null;
                while (System.nanoTime() < deadline) {
                    replay = FakeHost.serve(
                            PolicyChain.of(
                                    IdempotencyPolicy.builder(idempotency).build()),
                            RedisIdempotencyTest.post(lastKey),
                            exchange -> FakeResponse.of(500));
                    if (replay.headers().first("Idempotent-Replayed").isPresent()) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(replay.headers().first("Idempotent-Replayed"))
                        .as("the replicated record replays after the failover")
                        .hasValue("true");
                assertThat(replay.status()).isEqualTo(201);
            }
        }
    }

    /** A Redis bucket store of either kind (both are closeable bucket stores). */
    static AutoCloseable bucketStore(String kind, String url) {
        return kind.equals("script")
                ? RedisTokenBucketStore.builder(url)
                        .commandTimeout(Duration.ofSeconds(2))
                        .build()
                : RedisBucketStore.builder(url)
                        .commandTimeout(Duration.ofSeconds(2))
                        .build();
    }

    /**
     * What a failover loses, measured: decisions admitted under load by the old master that had not reached the
     * replica when the master died (SIGKILL). The bucket's clock is held still, so the tokens missing from the
     * new master's bucket are exactly the admissions it still knows of, plus any call that timed out after the
     * master had applied it.
     */
    @Test
    void aFailoverUnderLoadForgetsOnlyTheDecisionsThatHadNotReplicated() throws Exception {
        RedisSupport.requireRedis();
        long quota = 1_000_000;
        List<Limit> limits = List.of(Limit.of("hour", quota, Duration.ofHours(1)));
        String client = "failover-" + UUID.randomUUID();
        try (RedisSupport.Sentinel group = new RedisSupport.Sentinel();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(group.url())
                        .commandTimeout(Duration.ofMillis(500))
                        .clock(new MutableClock(java.time.Instant.parse("2026-12-06T00:00:00Z")))
                        .batching()
                        .build()) {
            AtomicLong admitted = new AtomicLong();
            AtomicLong unavailable = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Thread[] clients = new Thread[4];
            for (int t = 0; t < clients.length; t++) {
                clients[t] = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            if (store.tryConsume(client, limits, 1).consumed()) {
                                admitted.incrementAndGet();
                            }
                        } catch (StoreUnavailableException down) {
                            unavailable.incrementAndGet();
                            LockSupport.parkNanos(5_000_000); // a real client backs off too
                        }
                    }
                });
                clients[t].start();
            }
            Thread.sleep(1_000);
            long beforeKill = admitted.get();
            group.master().kill();
            group.awaitFailover();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            long atFailover = admitted.get();
            while (admitted.get() < atFailover + 1_000 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Thread thread : clients) {
                thread.join(5_000);
            }
            long remembered = quota - store.tryConsume(client, limits, 1).remaining()[0] - 1;
            long forgotten = admitted.get() - remembered;
            System.out.printf(
                    "[failover] admitted %d (%d before the kill), remembered %d, forgotten %d, %d unavailable%n",
                    admitted.get(), beforeKill, remembered, forgotten, unavailable.get());

            assertThat(admitted.get()).as("decisions resumed on the new master").isGreaterThan(atFailover);
            // A call that timed out while the master died may still have been applied and replicated: the
            // bucket then remembers a decision the client never saw admitted. Those tokens are spent, not
            // forgotten, so the lower bound is minus the calls that failed.
            assertThat(forgotten)
                    .as("only decisions the replica had not received yet: a few milliseconds' worth on loopback")
                    .isBetween(-unavailable.get(), Math.max(50, beforeKill / 100));
        }
    }

    static String lastKey;

    /** A payment through one instance, then the same key through the other: one execution, one replay. */
    static void assertExecutesOnceAndReplays(RedisIdempotencyStore first, RedisIdempotencyStore second) {
        AtomicInteger executions = new AtomicInteger();
        String key = UUID.randomUUID().toString();
        lastKey = key;
        FakeResponse original = FakeHost.serve(
                PolicyChain.of(IdempotencyPolicy.builder(first).build()),
                RedisIdempotencyTest.post(key),
                exchange -> FakeResponse.of(201).withBody("{\"payment\":" + executions.incrementAndGet() + "}"));
        FakeResponse replay = FakeHost.serve(
                PolicyChain.of(IdempotencyPolicy.builder(second).build()),
                RedisIdempotencyTest.post(key),
                exchange -> FakeResponse.of(201).withBody("{\"payment\":" + executions.incrementAndGet() + "}"));

        assertThat(executions).hasValue(1);
        assertThat(original.status()).isEqualTo(201);
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(original.body());
        assertThat(replay.headers().first("Idempotent-Replayed")).hasValue("true");
    }
}
