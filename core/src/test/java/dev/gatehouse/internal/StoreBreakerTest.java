package dev.gatehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StoreBreakerTest {
    final AtomicLong nanos = new AtomicLong(1_000);
    final StoreBreaker breaker = StoreBreaker.of(Duration.ofSeconds(5), nanos::get);

    @Test
    void aFailureOpensTheBreakerForItsWindowThenOneCallerProbes() {
        assertThat(breaker.permits()).isTrue();
        assertThat(breaker.failed()).as("the failure that begins an outage").isTrue();
        assertThat(breaker.down()).isTrue();

        nanos.addAndGet(Duration.ofMillis(4_999).toNanos());
        assertThat(breaker.permits()).isFalse();

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(breaker.permits()).as("the probe").isTrue();
        assertThat(breaker.permits()).as("everyone else while the probe runs").isFalse();
    }

    @Test
    void aFailedProbeKeepsItOpenAndASuccessClosesIt() {
        breaker.failed();
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(breaker.permits()).isTrue();
        assertThat(breaker.failed()).as("still the same outage").isFalse();
        assertThat(breaker.permits()).isFalse();

        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(breaker.permits()).isTrue();
        assertThat(breaker.succeeded()).as("the store is back").isTrue();
        assertThat(breaker.down()).isFalse();
        assertThat(breaker.permits()).isTrue();
        assertThat(breaker.succeeded()).as("nothing to report").isFalse();
        assertThat(breaker.failures()).isEqualTo(2);
    }

    @Test
    void aZeroWindowNeverOpensButKeepsTheHealth() {
        StoreBreaker none = StoreBreaker.of(Duration.ZERO, nanos::get);

        none.failed();

        assertThat(none.permits()).isTrue();
        assertThat(none.down()).isTrue();
        none.counted();
        assertThat(none.failures()).isEqualTo(2);
        assertThat(none.down()).isTrue();
        none.succeeded();
        assertThat(none.down()).isFalse();
    }

    @Test
    void aNegativeWindowIsRefused() {
        assertThatThrownBy(() -> StoreBreaker.of(Duration.ofSeconds(-1), nanos::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window: PT-1S (expected: >= 0)");
    }
}
