package dev.gatehouse.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResilientIdempotencyStoreTest {
    static final Duration LEASE = Duration.ofSeconds(30);

    final AtomicLong nanos = new AtomicLong();

    /** A store that counts its claims and fails every call while {@code down}. */
    static final class FlakyStore implements IdempotencyStore {
        final InMemoryIdempotencyStore memory = InMemoryIdempotencyStore.ofDefaults();
        final AtomicInteger claims = new AtomicInteger();
        volatile boolean down;

        @Override
        public Claim claim(String key, String fingerprint, Duration lease) {
            claims.incrementAndGet();
            check();
            return memory.claim(key, fingerprint, lease);
        }

        @Override
        public void complete(
                String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
            check();
            memory.complete(key, token, fingerprint, response, ttl);
        }

        @Override
        public void release(String key, String token) {
            check();
            memory.release(key, token);
        }

        private void check() {
            if (down) {
                throw new IdempotencyStoreException("Redis: connection refused", null);
            }
        }
    }

    final FlakyStore flaky = new FlakyStore();

    @Test
    void whileTheStoreAnswersItsClaimPassesThrough() {
        ResilientIdempotencyStore store = ResilientIdempotencyStore.of(flaky);

        ResilientIdempotencyStore.Answer first = store.guardedClaim("k", "f", LEASE);
        ResilientIdempotencyStore.Answer second = store.guardedClaim("k", "f", LEASE);

        assertThat(first)
                .isInstanceOfSatisfying(
                        ResilientIdempotencyStore.Answer.Found.class,
                        found -> assertThat(found.claim()).isInstanceOf(IdempotencyStore.Claim.Claimed.class));
        assertThat(second)
                .isEqualTo(new ResilientIdempotencyStore.Answer.Found(new IdempotencyStore.Claim.InFlight("f")));
        assertThat(store.feature()).isEqualTo("idempotency");
        assertThat(store.down()).isFalse();
    }

    @Test
    void failsClosedByDefaultAndIsUpAgainWithTheNextClaimThatWorks() {
        ResilientIdempotencyStore store = ResilientIdempotencyStore.of(flaky);
        flaky.down = true;

        assertThat(store.guardedClaim("k", "f", LEASE))
                .isEqualTo(new ResilientIdempotencyStore.Answer.Refused("Redis: connection refused", 1));
        assertThat(store.guardedClaim("k", "f", LEASE)).isInstanceOf(ResilientIdempotencyStore.Answer.Refused.class);
        assertThat(store.down()).isTrue();
        assertThat(store.failures()).isEqualTo(2);
        assertThat(flaky.claims).as("no breaker by default: every claim tries").hasValue(2);

        flaky.down = false;
        assertThat(store.guardedClaim("k", "f", LEASE)).isInstanceOf(ResilientIdempotencyStore.Answer.Found.class);
        assertThat(store.down()).isFalse();
    }

    @Test
    void failOpenLetsRequestsRunWithoutTheStoreAndCountsThem() {
        ResilientIdempotencyStore store =
                ResilientIdempotencyStore.builder(flaky).failOpen().build();
        flaky.down = true;

        assertThat(store.guardedClaim("k", "f", LEASE))
                .isEqualTo(new ResilientIdempotencyStore.Answer.AdmittedWithoutStore("Redis: connection refused"));
        assertThat(store.admittedWithoutStore()).isEqualTo(1);
        assertThat(store.failsOpen()).isTrue();
    }

    @Test
    void withABreakerADeadStoreIsLeftAloneForTheWindow() {
        ResilientIdempotencyStore store = ResilientIdempotencyStore.builder(flaky)
                .breakerWindow(Duration.ofSeconds(10))
                .nanoClock(nanos::get)
                .build();
        flaky.down = true;

        store.guardedClaim("k", "f", LEASE);
        ResilientIdempotencyStore.Answer open = store.guardedClaim("k", "f", LEASE);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        flaky.down = false;
        ResilientIdempotencyStore.Answer probe = store.guardedClaim("k", "f", LEASE);

        assertThat(open).isEqualTo(new ResilientIdempotencyStore.Answer.Refused("store breaker open", 10));
        assertThat(probe).isInstanceOf(ResilientIdempotencyStore.Answer.Found.class);
        assertThat(flaky.claims).hasValue(2);
        assertThat(store.down()).isFalse();
    }

    @Test
    void failedCompletionsAndReleasesAreCountedAndRethrown() {
        ResilientIdempotencyStore store = ResilientIdempotencyStore.of(flaky);
        flaky.down = true;

        assertThatThrownBy(() -> store.complete("k", "t", "f", Optional.empty(), Duration.ofHours(1)))
                .isInstanceOf(IdempotencyStoreException.class);
        assertThatThrownBy(() -> store.release("k", "t")).isInstanceOf(IdempotencyStoreException.class);

        assertThat(store.failures()).isEqualTo(2);
        assertThat(store.down()).as("a lost write does not decide availability").isFalse();
    }

    @Test
    void thePolicyUsesAResilientStoreAsItIsAndWrapsAPlainOne() {
        ResilientIdempotencyStore store = ResilientIdempotencyStore.of(flaky);

        assertThat(IdempotencyPolicy.builder(store).build().storeHealth()).isSameAs(store);
        assertThat(IdempotencyPolicy.builder(flaky).build().storeHealth())
                .isInstanceOf(ResilientIdempotencyStore.class);
        assertThatThrownBy(() -> ResilientIdempotencyStore.builder(store))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already resilient");
    }

    @Test
    void thePolicyAnswers503WhenClosedAndRunsTheRequestWhenOpen() {
        flaky.down = true;
        PolicyChain closed = PolicyChain.of(IdempotencyPolicy.builder(flaky).build());
        PolicyChain open = PolicyChain.of(IdempotencyPolicy.builder(
                        ResilientIdempotencyStore.builder(flaky).failOpen().build())
                .build());

        FakeResponse refused = FakeHost.serve(closed, post(), exchange -> FakeResponse.ok("ran"));
        FakeResponse ran = FakeHost.serve(open, post(), exchange -> FakeResponse.ok("ran"));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers().first("Retry-After")).hasValue("1");
        assertThat(ran.status()).isEqualTo(200);
        assertThat(ran.bodyText()).isEqualTo("ran");
    }

    static FakeExchange post() {
        return FakeExchange.post("/pay").header("Idempotency-Key", "\"k\"").withBody("{}");
    }
}
