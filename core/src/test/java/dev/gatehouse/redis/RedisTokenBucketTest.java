package dev.gatehouse.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.ratelimit.ResilientBucketStore;
import dev.gatehouse.ratelimit.StoreFailureMode;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.Race;
import dev.gatehouse.testing.RedisSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-round-trip token bucket (a Lua script on Redis's clock) against a real redis-server. */
class RedisTokenBucketTest {
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

    private static String key() {
        return "tb-" + UUID.randomUUID();
    }

    @ParameterizedTest(name = "batching={0}")
    @ValueSource(booleans = {false, true})
    void twoInstancesSharingOneRedisAdmitExactlyTheCapacityTogether(boolean batching) throws Exception {
        String url = RedisSupport.requireRedis();
        String client = key();
        Limit hourly = Limit.of("hour", 100, Duration.ofHours(1));
        try (RedisTokenBucketStore first = instance(url, batching);
                RedisTokenBucketStore second = instance(url, batching)) {
            int admitted = RedisRateLimitTest.race(32, 20, t -> {
                RedisTokenBucketStore instance = t % 2 == 0 ? first : second;
                return () -> instance.tryConsume(client, List.of(hourly), 1).consumed();
            });

            // 640 attempts within seconds; at 100 per hour the refill over the run is far below one token.
            assertThat(admitted).isEqualTo(100);
        }
    }

    /** A policy over {@code store} behind a breaker of {@code window} with failure mode {@code mode}. */
    private static RateLimitPolicy guarded(
            RedisTokenBucketStore store, Limit limit, StoreFailureMode mode, Duration window) {
        return RateLimitPolicy.builder()
                .limits(limit)
                .store(ResilientBucketStore.builder(store)
                        .onFailure(mode)
                        .breakerWindow(window)
                        .build())
                .build();
    }

    private static RedisTokenBucketStore instance(String url, boolean batching) {
        RedisTokenBucketStore.Builder builder =
                RedisTokenBucketStore.builder(url).commandTimeout(Duration.ofSeconds(2));
        return (batching ? builder.batching() : builder).build();
    }

    @Test
    void decisionsSharingACallAreTakenInOrderEachAllOrNothing() {
        String url = RedisSupport.requireRedis();
        MutableClock clock = new MutableClock(T0);
        try (RedisTokenBucketStore store =
                RedisTokenBucketStore.builder(url).clock(clock).build()) {
            Consumption[] decisions =
                    store.run(key(), List.of(Limit.perSecond(10), Limit.perMinute(12)), new long[] {4, 7, 4, 2, 3});

            assertThat(decisions).extracting(Consumption::consumed).containsExactly(true, false, true, true, false);
            assertThat(decisions[0].remaining()).containsExactly(6, 8);
            assertThat(decisions[1].remaining()).as("refused: nothing taken").containsExactly(6, 8);
            assertThat(decisions[3].remaining()).containsExactly(0, 2);
            // The second's 3 tokens come back in 300 ms, but the minute's third only in 5 s: the longer wait.
            assertThat(decisions[4].nanosToWait())
                    .isEqualTo(Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void aHotKeyMakesFewerScriptCallsThanDecisionsWhenBatched() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofSeconds(2))
                        .batching()
                        .build()) {
            RedisClient admin = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = admin.connect()) {
                String client = key();
                connection.sync().configResetstat();
                int admitted = RedisRateLimitTest.race(
                        8,
                        200,
                        t -> () -> store.tryConsume(client, List.of(Limit.perHour(1_000)), 1)
                                .consumed());
                Map<String, Long> calls = calls(connection.sync().info("commandstats"));

                assertThat(admitted).isEqualTo(1_000);
                assertThat(calls.get("evalsha"))
                        .as("script calls for 1,600 decisions")
                        .isLessThan(800L);
            } finally {
                admin.shutdown();
            }
        }
    }

    @Test
    void everyDecisionWaitingOnABatchHearsThatRedisIsDown() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofMillis(200))
                        .batching()
                        .build()) {
            String client = key();
            redis.signal("STOP");
            try {
                long start = System.nanoTime();
                List<String> outcomes = Race.of(8, t -> () -> {
                    try {
                        return "consumed="
                                + store.tryConsume(client, List.of(Limit.perMinute(10)), 1)
                                        .consumed();
                    } catch (StoreUnavailableException e) {
                        return "unavailable";
                    }
                });

                assertThat(outcomes).containsOnly("unavailable");
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("each waits at most for the call in flight and its own")
                        .isLessThan(Duration.ofMillis(2 * 200 + 400));
            } finally {
                redis.signal("CONT");
            }
        }
    }

    @Test
    void aWindowRefillsContinuouslyUpToItsQuotaAndTellsHowLongToWait() {
        String url = RedisSupport.requireRedis();
        MutableClock clock = new MutableClock(T0);
        String client = key();
        List<Limit> tenPerTenSeconds = List.of(Limit.of("ten", 10, Duration.ofSeconds(10)));
        try (RedisTokenBucketStore store =
                RedisTokenBucketStore.builder(url).clock(clock).build()) {
            for (int i = 0; i < 10; i++) {
                Consumption taken = store.tryConsume(client, tenPerTenSeconds, 1);
                assertThat(taken.consumed()).isTrue();
                assertThat(taken.remaining()).containsExactly(9 - i);
            }
            Consumption refused = store.tryConsume(client, tenPerTenSeconds, 1);
            assertThat(refused.consumed()).isFalse();
            assertThat(refused.remaining()).containsExactly(0);
            assertThat(Duration.ofNanos(refused.nanosToWait())).isEqualTo(Duration.ofSeconds(1));

            clock.advance(Duration.ofMillis(999));
            assertThat(store.tryConsume(client, tenPerTenSeconds, 1).consumed()).isFalse();
            clock.advance(Duration.ofMillis(1));
            assertThat(store.tryConsume(client, tenPerTenSeconds, 1).consumed()).isTrue();

            clock.advance(Duration.ofMinutes(5));
            int admitted = 0;
            while (store.tryConsume(client, tenPerTenSeconds, 1).consumed()) {
                admitted++;
            }
            assertThat(admitted)
                    .as("never more than the quota, however long it waited")
                    .isEqualTo(10);
        }
    }

    @Test
    void aRequestTakesItsCostFromEveryWindowOrFromNone() {
        String url = RedisSupport.requireRedis();
        MutableClock clock = new MutableClock(T0);
        String client = key();
        List<Limit> limits = List.of(Limit.of("second", 3, Duration.ofSeconds(1)), Limit.perMinute(5));
        try (RedisTokenBucketStore store =
                RedisTokenBucketStore.builder(url).clock(clock).build()) {
            assertThat(store.tryConsume(client, limits, 2).remaining()).containsExactly(1, 3);
            Consumption refused = store.tryConsume(client, limits, 2);
            assertThat(refused.consumed()).isFalse();
            assertThat(refused.remaining()).as("nothing taken from the minute").containsExactly(1, 3);

            clock.advance(Duration.ofSeconds(1));
            assertThat(store.tryConsume(client, limits, 3).remaining()).containsExactly(0, 0);
            clock.advance(Duration.ofSeconds(1));
            Consumption minuteSpent = store.tryConsume(client, limits, 1);
            assertThat(minuteSpent.consumed())
                    .as("the second refilled, the minute did not")
                    .isFalse();
            // One token of the minute comes back after 12 s; 0.083 of it came back in the last second.
            assertThat(Duration.ofNanos(minuteSpent.nanosToWait()))
                    .isBetween(Duration.ofSeconds(10), Duration.ofSeconds(12));
        }
    }

    @Test
    void eachDecisionIsOneCommandFromTheClient() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store =
                        RedisTokenBucketStore.builder(redis.url()).build()) {
            RedisClient admin = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = admin.connect()) {
                store.tryConsume(key(), List.of(Limit.perMinute(1000)), 1);
                connection.sync().configResetstat();
                for (int i = 0; i < 50; i++) {
                    store.tryConsume(key(), List.of(Limit.perMinute(1000), Limit.perHour(10_000)), 1);
                }
                Map<String, Long> calls = calls(connection.sync().info("commandstats"));

                assertThat(calls).containsEntry("evalsha", 50L);
                // What else ran is the script's own work, or this test's INFO: nothing else crossed the network.
                assertThat(calls.keySet())
                        .isSubsetOf("evalsha", "time", "hmget", "hset", "pexpire", "info", "config|resetstat");
            } finally {
                admin.shutdown();
            }
        }
    }

    @Test
    void aRestartedRedisThatForgotTheScriptIsServedAtOnce() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofSeconds(2))
                        .build()) {
            String client = key();
            assertThat(store.tryConsume(client, List.of(Limit.perMinute(5)), 1).consumed())
                    .isTrue();

            redis.kill();
            redis.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            Consumption after = null;
            while (after == null && System.nanoTime() < deadline) {
                try {
                    after = store.tryConsume(client, List.of(Limit.perMinute(5)), 1);
                } catch (StoreUnavailableException reconnecting) {
                    Thread.sleep(100);
                }
            }

            assertThat(after)
                    .as("served once Lettuce reconnected, though the script cache was empty")
                    .isNotNull();
            assertThat(after.consumed()).isTrue();
            assertThat(after.remaining()).as("an empty Redis: a fresh bucket").containsExactly(4);
        }
    }

    @Test
    void aDeadRedisFailsFastAndTheResilientStoreAppliesItsMode() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofMillis(200))
                        .build()) {
            RateLimitPolicy policy = RateLimitPolicy.builder()
                    .limits(Limit.perMinute(3))
                    .store(ResilientBucketStore.builder(store)
                            .onFailure(StoreFailureMode.CLOSED)
                            .build())
                    .build();
            redis.kill();

            assertThatThrownBy(() -> store.tryConsume(key(), List.of(Limit.perMinute(1)), 1))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("Redis: ");
            long start = System.nanoTime();
            Decision decision =
                    policy.onRequest(dev.gatehouse.testing.FakeExchange.get("/").from("192.0.2.1"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            assertThat(((Decision.Reject) decision).status()).isEqualTo(503);
            assertThat(policy.storeHealth().down()).isTrue();
        }
    }

    @Test
    void aRedisKilledAndRestartedUnderLoadFailsClosedAndLimitsAgainWithoutARestart() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofMillis(200))
                        .batching()
                        .build()) {
            RateLimitPolicy policy = guarded(store, Limit.perHour(50), StoreFailureMode.CLOSED, Duration.ofMillis(200));
            // Phases: 0 Redis up, 1 killed, 2 restarted (empty: no persistence).
            AtomicInteger phase = new AtomicInteger();
            AtomicLongArray admitted = new AtomicLongArray(3);
            AtomicLongArray refusedAs503 = new AtomicLongArray(3);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread client = new Thread(() -> {
                    while (!stop.get()) {
                        int now = phase.get();
                        Decision decision =
                                policy.onRequest(FakeExchange.get("/").from("192.0.2.9"));
                        if (decision instanceof Decision.Proceed) {
                            admitted.incrementAndGet(now);
                        } else if (((Decision.Reject) decision).status() == 503) {
                            refusedAs503.incrementAndGet(now);
                        }
                        LockSupport.parkNanos(1_000_000);
                    }
                });
                clients.add(client);
                client.start();
            }
            Thread.sleep(500);
            redis.kill();
            phase.set(1);
            Thread.sleep(700);
            boolean downWhileKilled = policy.storeHealth().down();
            redis.start();
            phase.set(2);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (policy.storeHealth().down() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            stop.set(true);
            for (Thread client : clients) {
                client.join(5_000);
            }

            assertThat(admitted.get(0))
                    .as("the quota, exactly, while Redis is up")
                    .isEqualTo(50);
            assertThat(downWhileKilled)
                    .as("the store-down gauge while Redis is dead")
                    .isTrue();
            assertThat(refusedAs503.get(1))
                    .as("fail closed while Redis is dead")
                    .isPositive();
            // Each decision counts in the phase it began in: one begun before the kill counts as phase 0.
            assertThat(admitted.get(1)).as("nothing admitted by a dead store").isZero();
            assertThat(policy.storeHealth().down()).as("back without a restart").isFalse();
            assertThat(admitted.get(2))
                    .as("a restarted Redis without persistence forgot the bucket: at most one quota more")
                    .isEqualTo(50);
        }
    }

    @Test
    void aFrozenRedisCostsAtMostTheTimeoutThenTheFailureModeAndResumesWithoutRestart() throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisTokenBucketStore store = RedisTokenBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofMillis(200))
                        .build()) {
            RateLimitPolicy policy =
                    guarded(store, Limit.perMinute(1000), StoreFailureMode.OPEN, Duration.ofMillis(500));
            FakeExchange client = FakeExchange.get("/").from("192.0.2.77");
            assertThat(policy.onRequest(client)).isInstanceOf(Decision.Proceed.class);

            redis.signal("STOP"); // frozen: the connection stays open, nothing answers
            try {
                long worst = 0;
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    assertThat(policy.onRequest(client))
                            .as("fail open while Redis is frozen")
                            .isInstanceOf(Decision.Proceed.class);
                    worst = Math.max(worst, System.nanoTime() - start);
                }
                assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofMillis(200 + 300));
                assertThat(policy.storeHealth().down()).isTrue();
                assertThat(policy.storeHealth().admittedWithoutStore()).isEqualTo(5);
            } finally {
                redis.signal("CONT");
            }

            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (policy.storeHealth().down() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                policy.onRequest(client);
            }
            assertThat(policy.storeHealth().down())
                    .as("resumed without restart")
                    .isFalse();
            Consumption after = store.tryConsume("after-" + UUID.randomUUID(), List.of(Limit.perMinute(3)), 1);
            assertThat(after.remaining()).containsExactly(2);
        }
    }

    private static Map<String, Long> calls(String info) {
        Matcher matcher = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(info);
        Map<String, Long> calls = new java.util.TreeMap<>();
        while (matcher.find()) {
            calls.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return calls;
    }
}
