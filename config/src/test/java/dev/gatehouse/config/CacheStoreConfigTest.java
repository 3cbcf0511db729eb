package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ratelimit.LocalBucketStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheStoreConfigTest {
    /** Stands in for a Redis store: what the factory puts behind the local tier. */
    private final HttpCacheStore shared = InMemoryHttpCacheStore.of(1024 * 1024);

    private static GatehouseConfig withCache(CacheStoreConfig cache) {
        return new GatehouseConfig(null, null, null, List.of(), null, null, null, cache);
    }

    @Test
    void theDefaultsAreOneInMemoryStoreOf64MiB() {
        CacheStoreConfig defaults = new GatehouseConfig(null, null, null, List.of()).cache();

        assertThat(defaults.redis()).isFalse();
        assertThat(defaults.maxBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(defaults.localTtlOrDefault()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.open(null)).isInstanceOf(InMemoryHttpCacheStore.class);
        assertThat(defaults.open(null).toString()).isEqualTo("InMemoryHttpCacheStore[67108864 bytes]");
    }

    @Test
    void redisPutsAShortLivedLocalTierOfMaxSizeInFrontOfTheSharedStore() {
        HttpCacheStore store = new CacheStoreConfig("redis", "8MiB", "500ms", null, null, null).open(shared);

        assertThat(store).isInstanceOfSatisfying(TieredHttpCacheStore.class, tiered -> {
            assertThat(tiered.shared()).isSameAs(shared);
            assertThat(tiered.local().toString()).isEqualTo("InMemoryHttpCacheStore[8388608 bytes, at most PT0.5S]");
        });
    }

    @Test
    void aLocalTtlOfZeroMeansTheSharedStoreAlone() {
        assertThat(new CacheStoreConfig("redis", null, "0s", null, null, null).open(shared))
                .isSameAs(shared);
    }

    @Test
    void theFactoryWithoutACacheStoreRefusesAConfigurationThatKeepsResponsesInRedis() {
        GatehouseConfig config = withCache(new CacheStoreConfig("redis", null, null, null, null, null));

        assertThatThrownBy(() -> RouteTableFactory.of(
                        config, LocalBucketStore.ofDefaults(), InMemoryIdempotencyStore.ofDefaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cache store redis but no Redis (expected: a redis URL)");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new CacheStoreConfig("memcached", null, null, null, null, null))
                .hasMessage("store memcached (expected: local or redis)");
        assertThatThrownBy(() -> new CacheStoreConfig(null, "lots", null, null, null, null))
                .hasMessage("size lots (expected: e.g. 1000, 512KiB, 10MiB)");
        assertThatThrownBy(() -> new CacheStoreConfig(null, "0", null, null, null, null))
                .hasMessage("maxSize 0 (expected: 1 byte or more)");
        assertThatThrownBy(() -> new CacheStoreConfig(null, null, "soon", null, null, null))
                .hasMessage("duration soon (expected: e.g. 500ms, 10s, 2m, 1h)");
    }

    @Test
    void redisSettingsBelongToTheRedisStoreAndAreChecked() {
        assertThatThrownBy(() -> new CacheStoreConfig("local", null, null, null, "1MiB", null))
                .hasMessage("maxEntrySize belongs to store: redis (expected: store: redis, or no such key)");
        assertThatThrownBy(() -> new CacheStoreConfig(null, null, null, null, null, "p:"))
                .hasMessage("keyPrefix belongs to store: redis (expected: store: redis, or no such key)");
        assertThatThrownBy(() -> new CacheStoreConfig("redis", null, null, null, "0", null))
                .hasMessage("maxEntrySize 0 (expected: 1 byte to 2GiB)");
        assertThatThrownBy(() -> new CacheStoreConfig("redis", null, null, "later", null, null))
                .hasMessageContaining("duration later");
    }
}
