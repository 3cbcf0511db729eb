package dev.gatehouse.config;

import static dev.gatehouse.config.RouteTableFactoryTest.OUTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.ratelimit.LocalBucketStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

    private static RouteConfig cachedRoute(CacheConfig cache) {
        return new RouteConfig(
                "/api",
                null,
                null,
                null,
                null,
                CompressionConfig.valueOf(true),
                IdempotencyConfig.valueOf(true),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                cache);
    }

    @Test
    void theCacheRunsInsideCompressionAndBeforeIdempotency() {
        RouteConfig route = cachedRoute(CacheConfig.valueOf(true));
        PolicyChain chain = RouteTableFactory.of(new GatehouseConfig(null, null, null, List.of(route)))
                .chain(route, OUTER);

        assertThat(chain.names()).containsExactly("request-id", "compression", "cache", "idempotency");
    }

    @Test
    void cachedRoutesShareTheFactorysStore() {
        InMemoryHttpCacheStore store = InMemoryHttpCacheStore.of(1024 * 1024);
        RouteTableFactory factory = RouteTableFactory.of(
                new GatehouseConfig(null, null, null, List.of(cachedRoute(new CacheConfig(null, "64KiB", "2s", null)))),
                LocalBucketStore.ofDefaults(),
                InMemoryIdempotencyStore.ofDefaults(),
                store);

        assertThat(factory.cacheStore()).isSameAs(store);
        assertThat(factory.routeTable(OUTER).select("GET", "/api/x").chain().names())
                .contains("cache");
    }

    @Test
    void aDisabledCacheAddsNoPolicy() {
        RouteConfig route = cachedRoute(CacheConfig.valueOf("false"));

        assertThat(RouteTableFactory.of(new GatehouseConfig(null, null, null, List.of(route)))
                        .chain(route, OUTER)
                        .names())
                .doesNotContain("cache");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new CacheConfig(null, "lots", null, null))
                .hasMessage("size lots (expected: e.g. 1000, 512KiB, 10MiB)");
        assertThatThrownBy(() -> new CacheConfig(null, "4GiB", null, null))
                .hasMessage("maxBodySize 4GiB (expected: less than 2GiB)");
        assertThatThrownBy(() -> new CacheConfig(null, null, "soon", null))
                .hasMessage("duration soon (expected: e.g. 500ms, 10s, 2m, 1h)");
    }
}
