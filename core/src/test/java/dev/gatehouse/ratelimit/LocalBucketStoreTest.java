package dev.gatehouse.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
}
