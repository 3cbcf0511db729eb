package dev.gatehouse.spring;

import dev.gatehouse.StoreHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Actuator's view of the stores Gatehouse's policies depend on (rate-limit buckets, idempotency records; Redis
 * when {@code gatehouse.redis} is set): {@code DOWN} while any of them is down — its last call failed or its breaker
 * is open — with, for each route's store, whether it is down, its failures so far and the requests let through
 * without it (fail-open).
 */
final class GatehouseHealthIndicator implements HealthIndicator {
    private final Map<String, StoreHealth> stores;

    GatehouseHealthIndicator(Map<String, StoreHealth> stores) {
        this.stores = Map.copyOf(stores);
    }

    @Override
    public Health health() {
        boolean down = false;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, StoreHealth> store : stores.entrySet()) {
            StoreHealth health = store.getValue();
            down |= health.down();
            details.put(
                    store.getKey(),
                    Map.of(
                            "status", health.down() ? "DOWN" : "UP",
                            "failures", health.failures(),
                            "admittedWithoutStore", health.admittedWithoutStore()));
        }
        return (down ? Health.down() : Health.up()).withDetails(details).build();
    }
}
