package dev.gatehouse.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitFieldsTest {
    static final List<Limit> LIMITS = List.of(Limit.perMinute(100), Limit.of("day", 5000, Duration.ofDays(1)));

    private static Headers fields(RateLimitFields format, long[] remaining, long[] resetSeconds) {
        Headers fields = Headers.create();
        format.set(fields, LIMITS, RateLimitFields.policy(LIMITS), remaining, resetSeconds);
        return fields;
    }

    @Test
    void draft10ListsEveryWindowInBothFields() {
        Headers fields = fields(RateLimitFields.DRAFT_10, new long[] {42, 4000}, new long[] {35, 17280});

        assertThat(fields.first("RateLimit-Policy")).hasValue("\"minute\";q=100;w=60, \"day\";q=5000;w=86400");
        assertThat(fields.first("RateLimit")).hasValue("\"minute\";r=42;t=35, \"day\";r=4000;t=17280");
        assertThat(RateLimitHeaders.parse(fields.first("RateLimit").orElseThrow()))
                .containsEntry("minute", Map.of("r", 42L, "t", 35L));
        assertThat(fields.size()).isEqualTo(2);
    }

    @Test
    void legacyNamesTheWindowWithTheLeastLeft() {
        Headers fields = fields(RateLimitFields.LEGACY, new long[] {42, 7}, new long[] {35, 17280});

        assertThat(fields.first("X-RateLimit-Limit")).hasValue("5000");
        assertThat(fields.first("X-RateLimit-Remaining")).hasValue("7");
        assertThat(fields.first("X-RateLimit-Reset")).hasValue("17280");
        assertThat(fields.size()).isEqualTo(3);
    }

    @Test
    void aStateShowsNothingLeftInTheWindowsThatRefusedAndWhenTheRequestWouldPass() {
        Consumption refused = new Consumption(
                false, new long[] {0, 4000}, Duration.ofMillis(1200).toNanos());

        WindowState state = WindowState.of(LIMITS, RateLimitFields.policy(LIMITS), refused, 1);

        assertThat(state.violated()).containsExactly("minute");
        assertThat(state.remaining()).containsExactly(0, 4000);
        assertThat(state.resetSeconds()).containsExactly(2, 17280);
        assertThat(state.violations()).isEqualTo("window=minute 0/100 refill in 2s");
    }

    @Test
    void anAdmittedStateCountsTheSecondsUntilEachWindowIsFull() {
        Consumption admitted = new Consumption(true, new long[] {99, 5000}, 0);

        WindowState state = WindowState.of(LIMITS, RateLimitFields.policy(LIMITS), admitted, 1);

        assertThat(state.violated()).isEmpty();
        assertThat(state.remaining()).containsExactly(99, 5000);
        assertThat(state.resetSeconds()).containsExactly(1, 0);
        assertThat(state.fields(RateLimitFields.DRAFT_10).first("RateLimit"))
                .hasValue("\"minute\";r=99;t=1, \"day\";r=5000;t=0");
    }
}
