package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.DecisionLog;
import dev.gatehouse.testing.FakeExchange;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    private final ManualClock clock = new ManualClock();
    private final RefusalLog log = new RefusalLog(3, clock);

    private static FakeExchange refused(String path, String policy, String reason) {
        FakeExchange exchange = FakeExchange.get(path);
        DecisionLog.of(exchange).add("request-id", "proceed", "generated");
        DecisionLog.of(exchange).add(policy, "reject", reason);
        return exchange;
    }

    @Test
    void keepsTheNewestRefusalsFirstAndCountsAll() {
        for (int i = 1; i <= 5; i++) {
            log.record("/api", refused("/api/" + i, "auth", "reason " + i), 401);
        }

        List<RefusalLog.Refusal> recent = log.recent();

        assertThat(recent).extracting(RefusalLog.Refusal::path).containsExactly("/api/5", "/api/4", "/api/3");
        assertThat(recent.get(0).policy()).isEqualTo("auth");
        assertThat(recent.get(0).reason()).isEqualTo("reason 5");
        assertThat(log.total()).isEqualTo(5);
    }

    @Test
    void anExchangeNoPolicyRefusedIsNotRecorded() {
        FakeExchange served = FakeExchange.get("/api");
        DecisionLog.of(served).add("compression", "gzip", "level 1");

        log.record("/api", served, 200);
        log.record("/api", FakeExchange.get("/none"), 404);

        assertThat(log.recent()).isEmpty();
    }

    @Test
    void controlCharactersAreReplacedAndLongTextIsCut() {
        log.record("/api", refused("/a\r\nb", "auth", "x".repeat(500)), 401);

        RefusalLog.Refusal refusal = log.recent().get(0);

        assertThat(refusal.path()).isEqualTo("/a??b");
        assertThat(refusal.reason()).hasSize(RefusalLog.MAX_TEXT + 1).endsWith("…");
    }
}
