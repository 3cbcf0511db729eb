package dev.gatehouse.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.testing.FakeExchange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker and the failure modes, on an injected clock: no Redis, no sleeps. */
class ResilientBucketStoreTest {
    static final List<Limit> LIMITS = List.of(Limit.perMinute(2));

    final AtomicLong nanos = new AtomicLong();

    /** A store that counts its calls and fails while {@code down}. */
    static final class FlakyStore implements BucketStore {
        final LocalBucketStore buckets = LocalBucketStore.ofDefaults();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean down;

        @Override
        public Consumption tryConsume(String key, List<Limit> limits, long cost) {
            calls.incrementAndGet();
            if (down) {
                throw new StoreUnavailableException("Redis: connection refused", null);
            }
            return buckets.tryConsume(key, limits, cost);
        }
    }

    final FlakyStore flaky = new FlakyStore();

    ResilientBucketStore resilient(StoreFailureMode mode) {
        return ResilientBucketStore.builder(flaky)
                .onFailure(mode)
                .breakerWindow(Duration.ofSeconds(5))
                .nanoClock(nanos::get)
                .build();
    }

    @Test
    void whileTheStoreAnswersItsConsumptionPassesThrough() {
        ResilientBucketStore store = resilient(StoreFailureMode.CLOSED);

        ResilientBucketStore.Answer answer = store.guardedConsume("k", LIMITS, 1);

        assertThat(answer).isInstanceOfSatisfying(ResilientBucketStore.Answer.Counted.class, counted -> {
            assertThat(counted.consumption().consumed()).isTrue();
            assertThat(counted.consumption().remaining()).containsExactly(1);
        });
        assertThat(store.down()).isFalse();
        assertThat(store.failures()).isZero();
        assertThat(store.feature()).isEqualTo("ratelimit");
    }

    @Test
    void aDeadStoreIsCalledOncePerBreakerWindowAndFailsOpenByDefault() {
        ResilientBucketStore store = ResilientBucketStore.builder(flaky)
                .breakerWindow(Duration.ofSeconds(5))
                .nanoClock(nanos::get)
                .build();
        flaky.down = true;

        for (int i = 0; i < 10; i++) {
            assertThat(store.guardedConsume("k", LIMITS, 1))
                    .isInstanceOf(ResilientBucketStore.Answer.AdmittedWithoutStore.class);
        }

        assertThat(flaky.calls).hasValue(1);
        assertThat(store.mode()).isEqualTo(StoreFailureMode.OPEN);
        assertThat(store.down()).isTrue();
        assertThat(store.failures()).isEqualTo(1);
        assertThat(store.admittedWithoutStore()).isEqualTo(10);
    }

    @Test
    void theFirstCallAfterTheWindowProbesAndTheStoreIsUsedAgainWhenItAnswers() {
        ResilientBucketStore store = resilient(StoreFailureMode.OPEN);
        flaky.down = true;
        store.guardedConsume("k", LIMITS, 1);

        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        store.guardedConsume("k", LIMITS, 1);
        assertThat(flaky.calls).as("a failed probe").hasValue(2);
        assertThat(store.down()).isTrue();

        flaky.down = false;
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(store.guardedConsume("k", LIMITS, 1))
                .isInstanceOf(ResilientBucketStore.Answer.AdmittedWithoutStore.class);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(store.guardedConsume("k", LIMITS, 1)).isInstanceOf(ResilientBucketStore.Answer.Counted.class);

        assertThat(store.down()).isFalse();
        assertThat(store.failures()).isEqualTo(2);
        assertThat(flaky.calls).hasValue(3);
    }

    @Test
    void failClosedRefusesWithTheWindowAsRetryAfter() {
        ResilientBucketStore store = resilient(StoreFailureMode.CLOSED);
        flaky.down = true;

        ResilientBucketStore.Answer first = store.guardedConsume("k", LIMITS, 1);
        ResilientBucketStore.Answer second = store.guardedConsume("k", LIMITS, 1);

        assertThat(first).isEqualTo(new ResilientBucketStore.Answer.Refused("Redis: connection refused", 5));
        assertThat(second).isEqualTo(new ResilientBucketStore.Answer.Refused("store breaker open", 5));
        assertThat(store.admittedWithoutStore()).isZero();
    }

    @Test
    void theLocalFallbackLimitsOnItsOwnWhileTheStoreIsDown() {
        ResilientBucketStore store = resilient(StoreFailureMode.LOCAL_FALLBACK);
        flaky.down = true;

        List<ResilientBucketStore.Answer> answers = List.of(
                store.guardedConsume("k", LIMITS, 1),
                store.guardedConsume("k", LIMITS, 1),
                store.guardedConsume("k", LIMITS, 1));

        assertThat(answers)
                .allSatisfy(
                        answer -> assertThat(answer).isInstanceOf(ResilientBucketStore.Answer.CountedLocally.class));
        assertThat(answers)
                .extracting(answer -> ((ResilientBucketStore.Answer.CountedLocally) answer)
                        .consumption()
                        .consumed())
                .containsExactly(true, true, false);
        assertThat(((ResilientBucketStore.Answer.CountedLocally) answers.get(0)).cause())
                .isEqualTo("Redis: connection refused");
    }

    @Test
    void asAPlainBucketStoreItThrowsUnlessItHasALocalFallback() {
        flaky.down = true;
        ResilientBucketStore open = resilient(StoreFailureMode.OPEN);
        ResilientBucketStore local = resilient(StoreFailureMode.LOCAL_FALLBACK);

        assertThatThrownBy(() -> open.tryConsume("k", LIMITS, 1)).isInstanceOf(StoreUnavailableException.class);
        assertThat(local.tryConsume("k", LIMITS, 1).consumed()).isTrue();
        assertThat(open.admittedWithoutStore()).isZero();
    }

    @Test
    void checksItsSettings() {
        assertThatThrownBy(() -> ResilientBucketStore.builder(flaky).breakerWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("breakerWindow: PT0S (expected: > 0)");
        ResilientBucketStore once = ResilientBucketStore.of(flaky);
        assertThatThrownBy(() -> ResilientBucketStore.builder(once))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already resilient");
    }

    @Test
    void thePolicyUsesAResilientStoreAsItIsAndWrapsAPlainOne() {
        ResilientBucketStore store = resilient(StoreFailureMode.CLOSED);

        RateLimitPolicy given = RateLimitPolicy.builder()
                .limits(Limit.perMinute(1))
                .store(store)
                .build();
        RateLimitPolicy wrapped = RateLimitPolicy.builder()
                .limits(Limit.perMinute(1))
                .store(flaky)
                .build();

        assertThat(given.storeHealth()).isSameAs(store);
        assertThat(wrapped.storeHealth())
                .isInstanceOfSatisfying(
                        ResilientBucketStore.class,
                        resilient -> assertThat(resilient.mode()).isEqualTo(StoreFailureMode.OPEN));
    }

    @Test
    void thePolicyTurnsEachAnswerIntoItsDecision() {
        flaky.down = true;
        FakeExchange client = FakeExchange.get("/").from("192.0.2.1");

        Decision open = policy(StoreFailureMode.OPEN).onRequest(client);
        Decision closed = policy(StoreFailureMode.CLOSED).onRequest(client);
        Decision local = policy(StoreFailureMode.LOCAL_FALLBACK).onRequest(client);

        assertThat(open).isInstanceOf(Decision.Proceed.class);
        assertThat(open.reason()).hasValue("store unavailable (Redis: connection refused): failed open");
        assertThat(closed).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.status()).isEqualTo(503);
            assertThat(reject.headers().first("Retry-After")).hasValue("5");
            assertThat(new String(reject.response().body())).contains("temporary-reduced-capacity");
        });
        assertThat(closed.reason()).hasValue("store unavailable (Redis: connection refused): failed closed");
        assertThat(local).isInstanceOf(Decision.Proceed.class);
        assertThat(local.reason())
                .hasValue("admitted default/ip:192.0.2.1 (local fallback: store unavailable (Redis: connection"
                        + " refused))");
    }

    RateLimitPolicy policy(StoreFailureMode mode) {
        return RateLimitPolicy.builder()
                .limits(Limit.perMinute(5))
                .store(resilient(mode))
                .build();
    }
}
