package dev.gatehouse.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** REQUIREMENTS.md §3 with local buckets; {@code RedisRateLimitTest} covers the shared store. */
class RateLimitPolicyTest {
    final AtomicLong nanos = new AtomicLong();

    RateLimitPolicy.Builder local(Limit... limits) {
        return RateLimitPolicy.builder()
                .limits(limits)
                .store(LocalBucketStore.builder().nanoClock(nanos::get).build());
    }

    static FakeExchange from(String peer) {
        return FakeExchange.get("/orders").from(peer);
    }

    static boolean admitted(Decision decision) {
        return decision instanceof Decision.Proceed;
    }

    @Test
    void policiesSharingAStoreNeverShareBuckets() {
        LocalBucketStore store =
                LocalBucketStore.builder().nanoClock(nanos::get).build();
        RateLimitPolicy tight = RateLimitPolicy.builder()
                .limits(Limit.perMinute(3))
                .store(store)
                .scope("/tight")
                .build();
        RateLimitPolicy loose = RateLimitPolicy.builder()
                .limits(Limit.perHour(100))
                .store(store)
                .scope("/loose")
                .build();
        RateLimitPolicy looseTwin = RateLimitPolicy.builder()
                .limits(Limit.perHour(100))
                .store(store)
                .scope("/other")
                .build();
        RateLimitPolicy looseOnAnotherInstance = RateLimitPolicy.builder()
                .limits(Limit.perHour(100))
                .store(store)
                .scope("/loose")
                .build();

        for (int i = 0; i < 3; i++) {
            assertThat(admitted(loose.onRequest(from("192.0.2.1")))).isTrue();
        }
        List<Boolean> tightAnswers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tightAnswers.add(admitted(tight.onRequest(from("192.0.2.1"))));
        }
        FakeResponse twin = FakeHost.serve(
                PolicyChain.builder().add("ratelimit", looseTwin).build(),
                from("192.0.2.1"),
                exchange -> FakeResponse.ok("ok"));
        FakeResponse same = FakeHost.serve(
                PolicyChain.builder().add("ratelimit", looseOnAnotherInstance).build(),
                from("192.0.2.1"),
                exchange -> FakeResponse.ok("ok"));

        assertThat(tightAnswers)
                .as("its own 3 a minute, whatever the other route counted")
                .containsExactly(true, true, true, false);
        assertThat(twin.headers().first("RateLimit")).hasValue("\"hour\";r=99;t=36");
        assertThat(same.headers().first("RateLimit"))
                .as("the same route's limits and scope: the same bucket")
                .hasValue("\"hour\";r=96;t=144");
    }

    // 1. No over-admission under concurrency
    @Test
    void admitsExactlyTheCapacityWhen64ThreadsRace() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(64);
        try {
            for (int round = 0; round < 200; round++) {
                RateLimitPolicy policy = RateLimitPolicy.builder()
                        .limits(Limit.of("hour", 100, Duration.ofHours(1)))
                        .build();
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger admitted = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 64; t++) {
                    done.add(threads.submit(() -> {
                        start.await();
                        for (int i = 0; i < 50; i++) {
                            if (admitted(policy.onRequest(from("192.0.2.1")))) {
                                admitted.incrementAndGet();
                            } else {
                                refused.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get();
                }
                assertThat(admitted).as("round %s", round).hasValue(100);
                assertThat(refused).hasValue(3100);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    // 2 and 3. Refill bound and liveness, with an injected clock
    @Test
    void admitsAtMostTheCapacityPlusTheRefillAndNoLess() {
        RateLimitPolicy policy = local(Limit.perMinute(60)).build();
        int admitted = 0;
        for (long t = 0; t <= 10_500; t += 100) {
            nanos.set(Duration.ofMillis(t).toNanos());
            for (int i = 0; i < 5; i++) {
                if (admitted(policy.onRequest(from("192.0.2.1")))) {
                    admitted++;
                }
            }
        }
        assertThat(admitted).isEqualTo(60 + 10);

        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        for (int i = 0; i < 60; i++) {
            assertThat(admitted(policy.onRequest(from("192.0.2.1"))))
                    .as("request %s after a full refill", i)
                    .isTrue();
        }
    }

    @Test
    void aClientBelowItsLimitIsNeverThrottled() {
        RateLimitPolicy policy = local(Limit.perSecond(10)).build();
        for (int second = 0; second < 30; second++) {
            nanos.set(Duration.ofSeconds(second).toNanos());
            for (int i = 0; i < 10; i++) {
                assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isTrue();
            }
        }
    }

    // 5. Key isolation and bounded memory
    @Test
    void exhaustingOneKeyLeavesOthersAloneAndKeysAreBounded() {
        LocalBucketStore store =
                LocalBucketStore.builder().nanoClock(nanos::get).maxKeys(1000).build();
        RateLimitPolicy policy = RateLimitPolicy.builder()
                .limits(Limit.perMinute(3))
                .store(store)
                .build();
        for (int i = 0; i < 3; i++) {
            policy.onRequest(from("192.0.2.1"));
        }
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isFalse();
        assertThat(admitted(policy.onRequest(from("192.0.2.2")))).isTrue();

        for (int i = 0; i < 100_000; i++) {
            policy.onRequest(from("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
        }
        assertThat(store.size()).isLessThanOrEqualTo(1000);
    }

    // 6. Spoof-proof keys
    @Test
    void forwardingHeadersFromAnUntrustedPeerCannotChooseTheBucket() {
        RateLimitPolicy policy = RateLimitPolicy.builder()
                .limits(Limit.perMinute(5))
                .key(RateLimitKey.clientAddress(ClientAddress.trusting("10.0.0.0/8")))
                .store(LocalBucketStore.builder().nanoClock(nanos::get).build())
                .build();
        int admitted = 0;
        for (int i = 0; i < 50; i++) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            FakeExchange exchange = from("203.0.113.9")
                    .header("X-Forwarded-For", random.nextInt(256) + ".1.2." + random.nextInt(256))
                    .header("Forwarded", "for=198.51.100." + random.nextInt(256));
            if (admitted(policy.onRequest(exchange))) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(5);
    }

    @Test
    void theClientBehindTrustedProxiesIsTheRightMostUntrustedHop() {
        ClientAddress resolver = ClientAddress.trusting("10.0.0.0/8", "2001:db8::/32");

        assertThat(resolver.resolve(from("10.0.0.1").header("X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.1.1.1")))
                .isEqualTo("1.2.3.4");
        assertThat(resolver.resolve(from("10.0.0.1").header("X-Forwarded-For", "10.2.2.2")))
                .isEqualTo("10.2.2.2");
        assertThat(resolver.resolve(from("10.0.0.1").header("X-Forwarded-For", "evil.example, 10.2.2.2")))
                .as("the trusted 10.2.2.2 named its client with no address: unknown, never the proxy")
                .isEqualTo("unknown");
        assertThat(resolver.resolve(from("10.0.0.1").header("X-Forwarded-For", "unknown")))
                .isEqualTo("unknown");
        assertThat(resolver.resolve(from("10.0.0.1").header("X-Forwarded-For", "203.0.113.7:5678")))
                .as("a proxy that adds the port")
                .isEqualTo("203.0.113.7");
        assertThat(resolver.resolve(from("10.0.0.1").header("X-Forwarded-For", "[2001:db8:1::9]:443, 10.3.3.3")))
                .isEqualTo("2001:db8:1:0:0:0:0:9");
        assertThat(resolver.resolve(from("10.0.0.1"))).isEqualTo("10.0.0.1");
        assertThat(resolver.resolve(from("2001:db8::7").header("X-Forwarded-For", "2001:DB8:0:0::9, 2a00:1450::1")))
                .isEqualTo("2a00:1450:0:0:0:0:0:1");
        assertThat(resolver.resolve(from("192.0.2.1").header("X-Forwarded-For", "1.1.1.1")))
                .isEqualTo("192.0.2.1");
        assertThat(ClientAddress.trustingForwarded("10.0.0.0/8")
                        .resolve(
                                from("10.0.0.1").header("Forwarded", "for=\"[2001:db8:cafe::17]:4711\", for=10.9.9.9")))
                .isEqualTo("2001:db8:cafe:0:0:0:0:17");
    }

    @Test
    void requestsWithoutAKeyShareOneBucketOrAreRefused() {
        RateLimitPolicy shared =
                local(Limit.perMinute(2)).key(RateLimitKey.principal()).build();
        assertThat(admitted(shared.onRequest(from("192.0.2.1")))).isTrue();
        assertThat(admitted(shared.onRequest(from("192.0.2.2")))).isTrue();
        assertThat(admitted(shared.onRequest(from("192.0.2.3")))).isFalse();

        RateLimitPolicy denying = local(Limit.perMinute(2))
                .key(RateLimitKey.principal())
                .denyMissingKey()
                .build();
        Decision.Reject reject = (Decision.Reject) denying.onRequest(from("192.0.2.1"));
        assertThat(reject.status()).isEqualTo(403);
    }

    @Test
    void limitsFollowThePrincipalsPlan() {
        RateLimitPolicy policy = local(Limit.perMinute(1))
                .plan("premium", Limit.perMinute(3))
                .key(RateLimitKey.principal())
                .build();
        int premium = 0;
        int free = 0;
        for (int i = 0; i < 5; i++) {
            premium += admitted(policy.onRequest(as("alice", "premium"))) ? 1 : 0;
            free += admitted(policy.onRequest(as("bob", "free"))) ? 1 : 0;
        }
        assertThat(premium).isEqualTo(3);
        assertThat(free).isEqualTo(1);
    }

    static FakeExchange as(String subject, String plan) {
        FakeExchange exchange = from("192.0.2.1");
        exchange.setAttribute(
                Principal.KEY, new Principal(subject, Optional.empty(), Set.of(), Optional.of(plan), Map.of(), "jwt"));
        return exchange;
    }

    // 9. 429
    @Test
    void aRefusalIs429WithRetryAfterAndAQuotaExceededProblem() {
        RateLimitPolicy policy = local(Limit.perMinute(60), Limit.perHour(1000)).build();
        for (int i = 0; i < 60; i++) {
            policy.onRequest(from("192.0.2.1"));
        }
        nanos.set(Duration.ofMillis(200).toNanos());

        Decision.Reject reject = (Decision.Reject) policy.onRequest(from("192.0.2.1"));

        assertThat(reject.status()).isEqualTo(429);
        assertThat(reject.headers().first("Retry-After")).hasValue("1");
        assertThat(reject.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(new String(reject.response().body()))
                .contains("\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\"")
                .contains("\"violated-policies\":[\"minute\"]");
        assertThat(reject.reason().orElseThrow())
                .startsWith("key=default/ip:192.0.2.1 window=minute 0/60 refill in 1s");
    }

    @Test
    void retryAfterIsNeverEarlierThanTheRealWait() {
        RateLimitPolicy policy =
                local(Limit.of("slow", 2, Duration.ofSeconds(60))).build();
        policy.onRequest(from("192.0.2.1"));
        policy.onRequest(from("192.0.2.1"));

        Decision.Reject reject = (Decision.Reject) policy.onRequest(from("192.0.2.1"));
        long retryAfter = Long.parseLong(reject.headers().first("Retry-After").orElseThrow());

        nanos.set(Duration.ofSeconds(retryAfter).minusMillis(1).toNanos());
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isFalse();
        nanos.set(Duration.ofSeconds(retryAfter).toNanos());
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isTrue();
    }

    // 10. Header invariants on every response
    @Test
    void everyResponseCarriesConsistentRateLimitFields() {
        long cost = 3;
        RateLimitPolicy policy = local(Limit.perMinute(20), Limit.perHour(100))
                .cost(exchange -> cost)
                .build();
        PolicyChain chain = PolicyChain.of(policy);
        long previous = 20;
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            FakeResponse response = FakeHost.serve(chain, from("192.0.2.1"), exchange -> FakeResponse.ok("ok"));

            Map<String, Map<String, Long>> policies = RateLimitHeaders.parse(
                    response.headers().first("RateLimit-Policy").orElseThrow());
            Map<String, Map<String, Long>> state =
                    RateLimitHeaders.parse(response.headers().first("RateLimit").orElseThrow());
            assertThat(policies).containsOnlyKeys("minute", "hour");
            assertThat(policies.get("minute")).containsExactly(Map.entry("q", 20L), Map.entry("w", 60L));
            for (String window : List.of("minute", "hour")) {
                assertThat(state.get(window).get("r"))
                        .isBetween(0L, policies.get(window).get("q"));
                assertThat(state.get(window).get("t"))
                        .isBetween(0L, policies.get(window).get("w"));
            }
            long remaining = state.get("minute").get("r");
            if (response.status() == 200) {
                assertThat(remaining).isEqualTo(previous - cost);
                previous = remaining;
            } else {
                assertThat(response.status()).isEqualTo(429);
                assertThat(remaining).isZero();
                long retryAfter =
                        Long.parseLong(response.headers().first("Retry-After").orElseThrow());
                assertThat(retryAfter)
                        .isGreaterThanOrEqualTo(state.get("minute").get("t"));
                refused++;
            }
        }
        assertThat(refused).isEqualTo(4);
    }

    @Test
    void refusalsByLaterPoliciesCarryTheFieldsToo() {
        PolicyChain chain = PolicyChain.builder()
                .add("ratelimit", local(Limit.perMinute(5)).build())
                .add("deny", exchange -> Decision.reject(401, "no"))
                .build();

        FakeResponse response = FakeHost.serve(chain, from("192.0.2.1"), exchange -> FakeResponse.ok("never"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().first("RateLimit")).hasValue("\"minute\";r=4;t=12");
    }

    // 12. Weighted cost, never partial
    @Test
    void aWeightedRequestTakesAllItsTokensOrNone() {
        AtomicLong cost = new AtomicLong(7);
        RateLimitPolicy policy =
                local(Limit.perMinute(10)).cost(exchange -> cost.get()).build();
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isTrue();

        cost.set(5);
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isFalse();
        cost.set(3);
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isTrue();
        cost.set(1);
        assertThat(admitted(policy.onRequest(from("192.0.2.1")))).isFalse();
    }

    @Test
    void shadowModeCountsButNeverRefuses() {
        RateLimitPolicy policy = local(Limit.perMinute(1)).shadow().build();
        policy.onRequest(from("192.0.2.1"));

        Decision decision = policy.onRequest(from("192.0.2.1"));

        assertThat(decision).isInstanceOf(Decision.Proceed.class);
        assertThat(decision.reason().orElseThrow()).startsWith("shadow: would refuse key=default/ip:192.0.2.1");
    }

    @Test
    void legacyHeadersNameTheTightestWindow() {
        PolicyChain chain = PolicyChain.of(
                local(Limit.perMinute(5), Limit.perHour(100)).legacyHeaders().build());

        FakeResponse response = FakeHost.serve(chain, from("192.0.2.1"), exchange -> FakeResponse.ok("ok"));

        assertThat(response.headers().first("X-RateLimit-Limit")).hasValue("5");
        assertThat(response.headers().first("X-RateLimit-Remaining")).hasValue("4");
        assertThat(response.headers().contains("RateLimit")).isFalse();
    }

    @Test
    void rejectedRequestsNeverReachTheService() {
        AtomicInteger executions = new AtomicInteger();
        PolicyChain chain = PolicyChain.of(local(Limit.perMinute(3)).build());
        for (int i = 0; i < 10; i++) {
            FakeHost.serve(chain, from("192.0.2.1"), (Exchange exchange) -> {
                executions.incrementAndGet();
                return FakeResponse.ok("ok");
            });
        }
        assertThat(executions).hasValue(3);
    }

    @Test
    void refusesLimitsTheBucketsCannotRepresent() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Limit.of("fast", 2_000_000_000L, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most one unit per nanosecond");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Limit.of("odd", 10, Duration.ofMillis(1500)))
                .hasMessageContaining("whole seconds");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> RateLimitPolicy.builder().limits(Limit.perMinute(1), Limit.perMinute(2)))
                .hasMessageContaining("limit: minute twice");
    }
}
