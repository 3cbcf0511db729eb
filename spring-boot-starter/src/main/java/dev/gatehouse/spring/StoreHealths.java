package dev.gatehouse.spring;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.Route;
import dev.gatehouse.RouteTable;
import dev.gatehouse.StoreHealth;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/** The stores a route table's policies depend on, each under its route's pattern and feature. */
final class StoreHealths {
    private StoreHealths() {}

    /** {@code /api/**} → the health of that route's rate-limit or idempotency store, in route order. */
    static Map<String, StoreHealth> of(RouteTable table) {
        Map<String, StoreHealth> stores = new LinkedHashMap<>();
        for (Route route : table.routes()) {
            PolicyChain chain = route.chain();
            for (int i = 0; i < chain.size(); i++) {
                if (chain.policy(i) instanceof RateLimitPolicy limiter) {
                    stores.put(route.pattern() + " ratelimit", limiter.storeHealth());
                } else if (chain.policy(i) instanceof IdempotencyPolicy idempotency) {
                    stores.put(route.pattern() + " idempotency", idempotency.storeHealth());
                }
            }
        }
        return stores;
    }
}
