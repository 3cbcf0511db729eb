package dev.gatehouse.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TieredHttpCacheStoreTest {
    /** The local tier's residency clock, moved by the tests. */
    private final AtomicLong nanos = new AtomicLong();

    private final InMemoryHttpCacheStore local =
            InMemoryHttpCacheStore.shortLived(1 << 20, Duration.ofMillis(200), nanos::get);
    private final InMemoryHttpCacheStore shared = InMemoryHttpCacheStore.of(1 << 20);
    private final TieredHttpCacheStore tiered = TieredHttpCacheStore.of(local, shared);

    private static CachedResponse response(String variant) {
        return new CachedResponse(
                StoredResponse.of(200, Headers.of("Vary", "Accept-Language"), variant.getBytes(StandardCharsets.UTF_8)),
                List.of("accept-language"),
                variant,
                Instant.now(),
                Duration.ZERO,
                Duration.ofMinutes(10),
                Duration.ZERO,
                Duration.ZERO);
    }

    private static List<String> variants(HttpCacheStore store, String key) {
        return store.variants(key).stream().map(CachedResponse::variant).toList();
    }

    @Test
    void aSharedHitFillsTheLocalTierWithEveryVariantNewestFirst() {
        shared.put("k", response("accept-language:en\n"));
        shared.put("k", response("accept-language:fr\n"));

        assertThat(variants(tiered, "k")).containsExactly("accept-language:fr\n", "accept-language:en\n");
        assertThat(variants(local, "k")).containsExactly("accept-language:fr\n", "accept-language:en\n");
    }

    @Test
    void theLocalTierAnswersFirst() {
        local.put("k", response("accept-language:en\n"));
        shared.put("k", response("accept-language:fr\n"));

        assertThat(variants(tiered, "k")).containsExactly("accept-language:en\n");
    }

    @Test
    void writesRemovalsAndPurgesGoToBothTiers() {
        tiered.put("http://a/1", response(""));
        tiered.put("http://a/2", response(""));
        tiered.put("http://b/1", response(""));
        assertThat(variants(local, "http://a/1")).hasSize(1);
        assertThat(variants(shared, "http://a/1")).hasSize(1);

        assertThat(tiered.remove("http://b/1")).isTrue();
        assertThat(tiered.removeByPrefix("http://a/")).isEqualTo(2);

        for (String key : List.of("http://a/1", "http://a/2", "http://b/1")) {
            assertThat(local.variants(key)).isEmpty();
            assertThat(shared.variants(key)).isEmpty();
        }
    }

    @Test
    void aShortLivedLocalTierLetsAKeyGoAfterItsResidencyWhateverItsFreshness() {
        local.put("k", response(""));
        assertThat(local.variants("k")).hasSize(1);

        nanos.addAndGet(Duration.ofMillis(300).toNanos());

        assertThat(local.variants("k")).isEmpty();
    }

    @Test
    void aKeyPurgedFromTheSharedTierElsewhereLeavesThisLocalTierWithinItsResidency() {
        tiered.put("k", response(""));
        shared.remove("k"); // another instance's purge reaches the shared tier only

        assertThat(tiered.variants("k")).hasSize(1);
        nanos.addAndGet(Duration.ofMillis(300).toNanos());
        assertThat(tiered.variants("k")).isEmpty();
    }
}
