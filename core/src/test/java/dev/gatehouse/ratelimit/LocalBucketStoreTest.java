package dev.gatehouse.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Race;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LocalBucketStoreTest {
    @ParameterizedTest
    @EnumSource(LocalBucketStore.Synchronization.class)
    void bucketsRefillByTheInjectedNanoClockWithEitherSynchronization(LocalBucketStore.Synchronization sync) {
        AtomicLong nanos = new AtomicLong(123_456_789L);
        LocalBucketStore store = LocalBucketStore.builder()
                .synchronization(sync)
                .nanoClock(nanos::get)
                .build();
        List<Limit> limits = List.of(Limit.perSecond(2));

        store.tryConsume("k", limits, 2);
        Consumption empty = store.tryConsume("k", limits, 1);
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        Consumption refilled = store.tryConsume("k", limits, 1);

        assertThat(empty.consumed()).isFalse();
        assertThat(empty.nanosToWait()).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(refilled.consumed()).isTrue();
        assertThat(refilled.remaining()).containsExactly(0);
    }

    @ParameterizedTest
    @EnumSource(LocalBucketStore.Synchronization.class)
    void threadsRacingForOneKeyGetExactlyTheQuota(LocalBucketStore.Synchronization sync) throws Exception {
        AtomicLong nanos = new AtomicLong();
        LocalBucketStore store = LocalBucketStore.builder()
                .synchronization(sync)
                .nanoClock(nanos::get)
                .build();
        List<Limit> limits = List.of(Limit.perMinute(1_000));

        List<Long> admitted = Race.of(8, thread -> () -> {
            long count = 0;
            for (int i = 0; i < 500; i++) {
                count += store.tryConsume("hot", limits, 1).consumed() ? 1 : 0;
            }
            return count;
        });

        assertThat(admitted.stream().mapToLong(Long::longValue).sum()).isEqualTo(1_000);
    }

    @ParameterizedTest
    @EnumSource(LocalBucketStore.Synchronization.class)
    void everyWindowIsChargedAllOrNothingAndReportsWhatIsLeft(LocalBucketStore.Synchronization sync) {
        AtomicLong nanos = new AtomicLong();
        LocalBucketStore store = LocalBucketStore.builder()
                .synchronization(sync)
                .nanoClock(nanos::get)
                .build();
        List<Limit> limits = List.of(Limit.perSecond(5), Limit.perMinute(7));

        Consumption first = store.tryConsume("k", limits, 4);
        Consumption refusedBySecond = store.tryConsume("k", limits, 2);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        Consumption refusedByMinute = store.tryConsume("k", limits, 4);
        Consumption last = store.tryConsume("k", limits, 3);

        assertThat(first.remaining()).containsExactly(1, 3);
        assertThat(refusedBySecond.consumed()).isFalse();
        assertThat(refusedBySecond.remaining()).containsExactly(1, 3);
        assertThat(refusedByMinute.consumed()).isFalse();
        assertThat(last.consumed()).isTrue();
        assertThat(last.remaining()).containsExactly(2, 0);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aLongKeyIsKeptAsItsDigestAndStillHasABucketOfItsOwn() {
        LocalBucketStore store = LocalBucketStore.ofDefaults();
        List<Limit> limits = List.of(Limit.perMinute(1));
        String first = "header:" + "x".repeat(8000) + "1";
        String second = "header:" + "x".repeat(8000) + "2";

        assertThat(store.tryConsume(first, limits, 1).consumed()).isTrue();
        assertThat(store.tryConsume(first, limits, 1).consumed()).isFalse();
        assertThat(store.tryConsume(second, limits, 1).consumed())
                .as("a key that differs only at its end")
                .isTrue();
        assertThat(store.tryConsume("address:203.0.113.7", limits, 1).consumed())
                .isTrue();

        assertThat(store.keptKeys())
                .hasSize(3)
                .contains("address:203.0.113.7")
                .allSatisfy(key -> assertThat(key.length()).isLessThanOrEqualTo(71));
    }

    @Test
    void idleBucketsGoAfterTheIdleTimeoutOnTheInjectedClock() {
        AtomicLong nanos = new AtomicLong(5_000_000_000L);
        LocalBucketStore store = LocalBucketStore.builder()
                .nanoClock(nanos::get)
                .idleTimeout(Duration.ofMinutes(1))
                .build();
        List<Limit> limits = List.of(Limit.perHour(10));
        store.tryConsume("busy", limits, 1);
        store.tryConsume("idle", limits, 1);

        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        store.tryConsume("busy", limits, 1);
        nanos.addAndGet(Duration.ofSeconds(45).toNanos());

        assertThat(store.size())
                .as("idle for 75 s of 60: dropped; busy for 45 s: kept")
                .isEqualTo(1);
        assertThat(store.tryConsume("busy", limits, 1).remaining()).containsExactly(7);
    }
}
