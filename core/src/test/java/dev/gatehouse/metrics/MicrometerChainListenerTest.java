package dev.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.ChainListener;
import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.StoreHealth;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.IdempotencyStoreException;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MicrometerChainListenerTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MicrometerChainListener listener = new MicrometerChainListener(registry);

    @Test
    void countsDecisionsByPolicyAndOutcomeAndTimesExchangesByRouteAndStatus() {
        RateLimitPolicy limits =
                RateLimitPolicy.builder().limits(Limit.perMinute(2)).build();
        PolicyChain chain = PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("ratelimit", limits)
                .add(
                        "auth",
                        exchange -> exchange.requestHeaders().contains("Authorization")
                                ? Decision.proceed()
                                : Decision.reject(401, "Log in."))
                .listener(listener)
                .build();
        listener.bindStoreHealth("ratelimit", limits.storeHealth());

        FakeHost.serve(
                chain, FakeExchange.get("/orders/1").header("Authorization", "Bearer x"), e -> FakeResponse.ok("ok"));
        FakeHost.serve(chain, FakeExchange.get("/orders/1"), e -> FakeResponse.ok("ok"));
        FakeHost.serve(chain, FakeExchange.get("/orders/1"), e -> FakeResponse.ok("ok"));

        assertThat(count("request-id", "proceed")).isEqualTo(3);
        assertThat(count("ratelimit", "proceed")).isEqualTo(2);
        assertThat(count("ratelimit", "reject")).isEqualTo(1);
        assertThat(count("auth", "proceed")).isEqualTo(1);
        assertThat(count("auth", "reject")).isEqualTo(1);
        assertThat(registry.get("gatehouse.policy.duration")
                        .tag("policy", "auth")
                        .timer()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("gatehouse.exchanges")
                        .tag("route", "none")
                        .tag("status", "4xx")
                        .timer()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("gatehouse.exchanges")
                        .tag("status", "2xx")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("gatehouse.ratelimit.store.down").gauge().value())
                .isZero();
        assertThat(registry.get("gatehouse.ratelimit.store.failures")
                        .functionCounter()
                        .count())
                .isZero();
    }

    @Test
    void gaugesTheIdempotencyStoreDownWhileItFailsAndUpAgainAfter() {
        boolean[] down = {false};
        InMemoryIdempotencyStore memory = InMemoryIdempotencyStore.ofDefaults();
        IdempotencyStore flaky = new IdempotencyStore() {
            @Override
            public Claim claim(String key, String fingerprint, Duration lease) {
                if (down[0]) {
                    throw new IdempotencyStoreException("connection refused", null);
                }
                return memory.claim(key, fingerprint, lease);
            }

            @Override
            public void complete(
                    String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
                memory.complete(key, token, fingerprint, response, ttl);
            }

            @Override
            public void release(String key, String token) {
                memory.release(key, token);
            }
        };
        IdempotencyPolicy idempotency = IdempotencyPolicy.builder(flaky).build();
        PolicyChain chain = PolicyChain.builder()
                .add("idempotency", idempotency)
                .listener(listener)
                .build();
        listener.bindStoreHealth("idempotency", idempotency.storeHealth());

        FakeHost.serve(chain, FakeExchange.post("/pay").header("Idempotency-Key", "\"a\""), e -> FakeResponse.ok("1"));
        assertThat(registry.get("gatehouse.idempotency.store.down").gauge().value())
                .isZero();

        down[0] = true;
        FakeResponse refused = FakeHost.serve(
                chain, FakeExchange.post("/pay").header("Idempotency-Key", "\"b\""), e -> FakeResponse.ok("2"));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(registry.get("gatehouse.idempotency.store.down").gauge().value())
                .isEqualTo(1);
        assertThat(registry.get("gatehouse.idempotency.store.failures")
                        .functionCounter()
                        .count())
                .isEqualTo(1);

        down[0] = false;
        FakeHost.serve(chain, FakeExchange.post("/pay").header("Idempotency-Key", "\"c\""), e -> FakeResponse.ok("3"));
        assertThat(registry.get("gatehouse.idempotency.store.down").gauge().value())
                .isZero();
    }

    @Test
    void bindsAnyStoreHealthUnderItsFeaturesMeterNames() {
        long[] failures = {3};
        StoreHealth health = new StoreHealth() {
            @Override
            public String feature() {
                return "idempotency";
            }

            @Override
            public boolean down() {
                return true;
            }

            @Override
            public long failures() {
                return failures[0];
            }

            @Override
            public long admittedWithoutStore() {
                return 7;
            }
        };

        listener.bindStoreHealth("payments", health);
        failures[0] = 4;

        assertThat(registry.get("gatehouse.idempotency.store.down")
                        .tag("policy", "payments")
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(registry.get("gatehouse.idempotency.store.failures")
                        .tag("policy", "payments")
                        .functionCounter()
                        .count())
                .isEqualTo(4);
        assertThat(registry.get("gatehouse.idempotency.failed.open")
                        .tag("policy", "payments")
                        .functionCounter()
                        .count())
                .isEqualTo(7);
    }

    @Test
    void aRateLimitPolicysStoreHealthKeepsItsMeterNames() {
        RateLimitPolicy limits =
                RateLimitPolicy.builder().limits(Limit.perMinute(2)).build();

        listener.bindStoreHealth("public", limits.storeHealth());

        assertThat(registry.find("gatehouse.ratelimit.store.down").gauge()).isNotNull();
        assertThat(registry.find("gatehouse.ratelimit.store.failures").functionCounter())
                .isNotNull();
        assertThat(registry.find("gatehouse.ratelimit.failed.open").functionCounter())
                .isNotNull();
    }

    private double count(String policy, String outcome) {
        return registry.get("gatehouse.policy.decisions")
                .tag("policy", policy)
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    @Test
    void aListenerThatThrowsIsIgnored() {
        PolicyChain chain = PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .listener(new ChainListener() {
                    @Override
                    public void onDecision(dev.gatehouse.Exchange exchange, String policy, String outcome, long nanos) {
                        throw new IllegalStateException("broken metrics");
                    }
                })
                .build();

        FakeResponse response = FakeHost.serve(chain, FakeExchange.get("/"), exchange -> FakeResponse.ok("ok"));

        assertThat(response.status()).isEqualTo(200);
    }
}
