package dev.gatehouse.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.ratelimit.ResilientBucketStore;
import dev.gatehouse.ratelimit.StoreFailureMode;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.Race;
import dev.gatehouse.testing.RedisSupport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REQUIREMENTS.md §3 items 4 and 8 against a real redis-server. */
class RedisRateLimitTest {
    static final Limit HOURLY_100 = Limit.of("hour", 100, Duration.ofHours(1));

    static FakeExchange from(String peer) {
        return FakeExchange.get("/orders").from(peer);
    }

    static boolean admitted(Decision decision) {
        return decision instanceof Decision.Proceed;
    }

    @ParameterizedTest(name = "batching={0}")
    @ValueSource(booleans = {false, true})
    void twoInstancesSharingOneRedisNeverAdmitMoreThanTheCapacityTogether(boolean batching) throws Exception {
        String url = RedisSupport.requireRedis();
        String client = "198.51.100." + (batching ? 2 : 1) + "-" + UUID.randomUUID();
        RedisBucketStore.Builder store = RedisBucketStore.builder(url).commandTimeout(Duration.ofSeconds(2));
        if (batching) {
            store.batching();
        }
        try (RedisBucketStore first = store.build();
                RedisBucketStore second = store.build()) {
            RateLimitPolicy a =
                    RateLimitPolicy.builder().limits(HOURLY_100).store(first).build();
            RateLimitPolicy b =
                    RateLimitPolicy.builder().limits(HOURLY_100).store(second).build();
            int admitted = race(32, 20, t -> {
                RateLimitPolicy instance = t % 2 == 0 ? a : b;
                return () -> admitted(instance.onRequest(from(client)));
            });

            assertThat(admitted).isEqualTo(100);
            assertThat(a.storeHealth().failures() + b.storeHealth().failures()).isZero();
        }
    }

    /**
     * Starts {@code threads} threads at once, each making {@code attempts} attempts with the attempt {@code
     * racer} gives it (by thread number); answers how many were admitted.
     */
    static int race(int threads, int attempts, IntFunction<BooleanSupplier> racer) throws Exception {
        return Race.of(threads, t -> {
                    BooleanSupplier attempt = racer.apply(t);
                    return () -> {
                        int admitted = 0;
                        for (int i = 0; i < attempts; i++) {
                            admitted += attempt.getAsBoolean() ? 1 : 0;
                        }
                        return admitted;
                    };
                })
                .stream()
                .mapToInt(Integer::intValue)
                .sum();
    }

    @Test
    void theAsyncPathSharesTheSameBuckets() throws Exception {
        String url = RedisSupport.requireRedis();
        String key = "async-" + UUID.randomUUID();
        try (RedisBucketStore store = RedisBucketStore.builder(url).build()) {
            List<Limit> limits = List.of(Limit.perMinute(2));
            Consumption first = store.tryConsumeAsync(key, limits, 1).get(5, TimeUnit.SECONDS);
            Consumption second = store.tryConsume(key, limits, 1);
            Consumption third = store.tryConsumeAsync(key, limits, 1).get(5, TimeUnit.SECONDS);

            assertThat(first.consumed()).isTrue();
            assertThat(first.remaining()).containsExactly(1);
            assertThat(second.consumed()).isTrue();
            assertThat(third.consumed()).isFalse();
            assertThat(third.nanosToWait()).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"OPEN", "CLOSED", "LOCAL_FALLBACK"})
    void aDeadRedisGetsTheConfiguredModeWithBoundedLatencyThenRecovers(String mode) throws Exception {
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisBucketStore store = RedisBucketStore.builder(redis.url())
                        .commandTimeout(Duration.ofMillis(200))
                        .build()) {
            RateLimitPolicy policy = RateLimitPolicy.builder()
                    .limits(Limit.perMinute(3))
                    .store(ResilientBucketStore.builder(store)
                            .onFailure(StoreFailureMode.valueOf(mode))
                            .breakerWindow(Duration.ofMillis(500))
                            .build())
                    .build();
            assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isTrue();

            redis.kill();
            long worst = 0;
            List<Decision> whileDown = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                long start = System.nanoTime();
                whileDown.add(policy.onRequest(from("192.0.2.1")));
                worst = Math.max(worst, System.nanoTime() - start);
            }

            assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofMillis(200 + 300));
            assertThat(policy.storeHealth().failures()).isGreaterThanOrEqualTo(1);
            assertThat(policy.storeHealth().down()).isTrue();
            switch (mode) {
                case "OPEN" -> {
                    assertThat(whileDown).allMatch(RedisRateLimitTest::admitted);
                    assertThat(policy.storeHealth().admittedWithoutStore()).isEqualTo(6);
                }
                case "CLOSED" ->
                    assertThat(whileDown).allSatisfy(decision -> {
                        assertThat(((Decision.Reject) decision).status()).isEqualTo(503);
                        assertThat(new String(
                                        ((Decision.Reject) decision).response().body()))
                                .contains("temporary-reduced-capacity");
                    });
                default ->
                    assertThat(whileDown.stream().filter(RedisRateLimitTest::admitted))
                            .as("the local fallback bucket limits on its own")
                            .hasSize(3);
            }

            redis.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (policy.storeHealth().down() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                policy.onRequest(from("192.0.2.9"));
            }
            assertThat(policy.storeHealth().down())
                    .as("recovered without restart")
                    .isFalse();
            Decision afterRecovery = policy.onRequest(from("192.0.2.50"));
            assertThat(admitted(afterRecovery)).isTrue();
        }
    }

    @Test
    void aStoreThatCannotReachRedisFailsWithAClearError() throws Exception {
        RedisSupport.Process redis = new RedisSupport.Process();
        String url = redis.url();
        try (RedisBucketStore store = RedisBucketStore.builder(url)
                .commandTimeout(Duration.ofMillis(200))
                .build()) {
            redis.kill();
            try {
                store.tryConsume("k", List.of(Limit.perMinute(1)), 1);
                throw new AssertionError("expected StoreUnavailableException");
            } catch (StoreUnavailableException e) {
                assertThat(e.getMessage()).startsWith("Redis: ");
            }
            try {
                store.tryConsumeAsync("k", List.of(Limit.perMinute(1)), 1).get(5, TimeUnit.SECONDS);
                throw new AssertionError("expected a failed future");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreUnavailableException.class);
            }
        }
    }

    @Test
    void anInstanceWhoseClockRunsFiveSecondsAheadCannotBurstOverTheCapacity() throws Exception {
        String url = RedisSupport.requireRedis();
        String client = "skew-" + UUID.randomUUID();
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));
        try (RedisBucketStore normal = RedisBucketStore.builder(url)
                        .commandTimeout(Duration.ofSeconds(2))
                        .build();
                RedisBucketStore skewed = RedisBucketStore.builder(url)
                        .commandTimeout(Duration.ofSeconds(2))
                        .clock(ahead)
                        .build()) {
            RateLimitPolicy a =
                    RateLimitPolicy.builder().limits(HOURLY_100).store(normal).build();
            RateLimitPolicy b =
                    RateLimitPolicy.builder().limits(HOURLY_100).store(skewed).build();
            int admitted = 0;
            for (int i = 0; i < 150; i++) {
                admitted += admitted((i % 2 == 0 ? a : b).onRequest(from(client))) ? 1 : 0;
            }
            // 5 s of skew at 100 per hour refills nothing: not one request over the capacity.
            assertThat(admitted).isEqualTo(100);
        }
    }

    @Test
    void aSkewedInstanceRefillsEarlyByAtMostItsSkewTimesTheRate() throws Exception {
        String url = RedisSupport.requireRedis();
        String client = "skew-fast-" + UUID.randomUUID();
        Limit fast = Limit.of("tenSeconds", 100, Duration.ofSeconds(10));
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));
        try (RedisBucketStore normal = RedisBucketStore.builder(url)
                        .commandTimeout(Duration.ofSeconds(2))
                        .build();
                RedisBucketStore skewed = RedisBucketStore.builder(url)
                        .commandTimeout(Duration.ofSeconds(2))
                        .clock(ahead)
                        .build()) {
            RateLimitPolicy a =
                    RateLimitPolicy.builder().limits(fast).store(normal).build();
            RateLimitPolicy b =
                    RateLimitPolicy.builder().limits(fast).store(skewed).build();
            long start = System.nanoTime();
            int admitted = 0;
            for (int i = 0; i < 400; i++) {
                admitted += admitted((i % 2 == 0 ? a : b).onRequest(from(client))) ? 1 : 0;
            }
            double elapsedSeconds = (System.nanoTime() - start) / 1e9;

            // The documented bound: capacity + refill over the run + skew × rate (5 s × 10/s).
            assertThat(admitted).isGreaterThanOrEqualTo(100).isLessThanOrEqualTo((int)
                    (100 + 50 + Math.ceil(elapsedSeconds * 10)));
        }
    }
}
