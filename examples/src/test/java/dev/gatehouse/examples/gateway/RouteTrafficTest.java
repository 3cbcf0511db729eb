package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTrafficTest {
    private final ManualClock clock = new ManualClock();
    private final RouteTraffic traffic = new RouteTraffic(clock);

    @Test
    void countsRequestsPerStatusClassAndEstimatesPercentilesWithinTwentyPercent() {
        for (int i = 1; i <= 100; i++) {
            traffic.record("/api", i <= 90 ? 200 : 503, Duration.ofMillis(i));
        }

        Map<String, Object> status = traffic.status("/api");

        assertThat(status).containsEntry("requests", 100L).containsEntry("windowSeconds", 300);
        assertThat(status.get("statuses")).isEqualTo(Map.of("2xx", 90L, "5xx", 10L));
        assertThat((Double) status.get("p50Ms")).isBetween(50.0, 60.0);
        assertThat((Double) status.get("p99Ms")).isBetween(99.0, 99.0 * 1.2);
    }

    @Test
    void theRateIsOverTheTimeSinceTheFirstRequestUpToTheWindow() {
        traffic.record("/api", 200, Duration.ofMillis(1));
        clock.advance(Duration.ofSeconds(9));
        for (int i = 0; i < 9; i++) {
            traffic.record("/api", 200, Duration.ofMillis(1));
        }

        assertThat(traffic.status("/api")).containsEntry("perSecond", 1.0);
    }

    @Test
    void requestsOlderThanTheWindowNoLongerCount() {
        traffic.record("/api", 200, Duration.ofMillis(1));
        clock.advance(Duration.ofSeconds(200));
        traffic.record("/api", 404, Duration.ofMillis(1));
        clock.advance(Duration.ofSeconds(110));

        Map<String, Object> status = traffic.status("/api");

        assertThat(status).containsEntry("requests", 1L);
        assertThat(status.get("statuses")).isEqualTo(Map.of("4xx", 1L));
    }

    @Test
    void aRouteWithoutRequestsHasNoPercentiles() {
        Map<String, Object> status = traffic.status("/quiet");

        assertThat(status).containsEntry("requests", 0L).containsEntry("perSecond", 0.0);
        assertThat(status.get("p50Ms")).isNull();
        assertThat(status.get("p99Ms")).isNull();
    }
}
