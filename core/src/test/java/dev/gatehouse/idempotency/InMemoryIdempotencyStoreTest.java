package dev.gatehouse.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The in-memory store's bounds: keys, and the bytes its recorded answers take. */
class InMemoryIdempotencyStoreTest {
    private static final Duration LEASE = Duration.ofMinutes(1);
    private static final Duration TTL = Duration.ofHours(1);

    /** Claims {@code key} and records {@code body} as its answer. */
    private static void answer(IdempotencyStore store, String key, byte[] body) {
        IdempotencyStore.Claim claim = store.claim(key, "fp", LEASE);
        assertThat(claim).isInstanceOf(IdempotencyStore.Claim.Claimed.class);
        store.complete(
                key,
                ((IdempotencyStore.Claim.Claimed) claim).token(),
                "fp",
                Optional.of(StoredResponse.of(200, Headers.of("Content-Type", "application/json"), body)),
                TTL);
    }

    private static int recorded(IdempotencyStore store, int keys) {
        int recorded = 0;
        for (int i = 0; i < keys; i++) {
            if (store.claim("key-" + i, "fp", LEASE) instanceof IdempotencyStore.Claim.Completed) {
                recorded++;
            }
        }
        return recorded;
    }

    @Test
    void largeAnswersAreKeptOnlyUpToTheByteBound() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.of(1_000, 1024 * 1024);
        for (int i = 0; i < 40; i++) {
            answer(store, "key-" + i, new byte[100 * 1024]);
        }

        assertThat(recorded(store, 40))
                .as("forty answers of 100 KiB in a store of 1 MiB")
                .isBetween(1, 10);
    }

    @Test
    void smallAnswersAreAllKeptUpToTheKeyBound() {
        InMemoryIdempotencyStore roomy = InMemoryIdempotencyStore.of(1_000, 1024 * 1024);
        InMemoryIdempotencyStore fewKeys = InMemoryIdempotencyStore.of(10, 1024 * 1024);
        for (int i = 0; i < 40; i++) {
            answer(roomy, "key-" + i, "{\"ok\":true}".getBytes());
            answer(fewKeys, "key-" + i, "{\"ok\":true}".getBytes());
        }

        assertThat(recorded(roomy, 40)).isEqualTo(40);
        assertThat(recorded(fewKeys, 40)).isBetween(1, 10);
    }

    @Test
    void boundsAreChecked() {
        assertThatThrownBy(() -> InMemoryIdempotencyStore.of(0, 1024 * 1024))
                .hasMessageContaining("maxKeys: 0 (expected: > 0)");
        assertThatThrownBy(() -> InMemoryIdempotencyStore.of(10, 100))
                .hasMessageContaining("maxBytes: 100 (expected: >= 1024)");
    }

    @Test
    void aRequestThatOutlivedItsLeaseIsStillRecordedUnlessAnotherClaimedTheKey() {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.withNanoClock(1_000, nanos::get);
        Duration lease = Duration.ofSeconds(1);
        String slow = ((IdempotencyStore.Claim.Claimed) store.claim("slow", "fp", lease)).token();
        String overtaken = ((IdempotencyStore.Claim.Claimed) store.claim("overtaken", "fp", lease)).token();
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        IdempotencyStore.Claim retry = store.claim("overtaken", "fp", lease);

        store.complete("slow", slow, "fp", Optional.of(StoredResponse.of(201, Headers.empty(), new byte[0])), TTL);
        store.complete("overtaken", overtaken, "fp", Optional.empty(), TTL);

        assertThat(store.claim("slow", "fp", lease)).isInstanceOf(IdempotencyStore.Claim.Completed.class);
        assertThat(retry).isInstanceOf(IdempotencyStore.Claim.Claimed.class);
        assertThat(store.claim("overtaken", "fp", lease))
                .as("the later claim still holds the key")
                .isInstanceOf(IdempotencyStore.Claim.InFlight.class);
    }
}
