package dev.gatehouse.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.cache.CachedResponse;
import dev.gatehouse.cache.HttpCachePolicy;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
import dev.gatehouse.testing.CapturingLogger;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RedisSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class RedisHttpCacheStoreTest {
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final String prefix = "gatehouse:test:" + UUID.randomUUID() + ":";
    private final AtomicInteger calls = new AtomicInteger();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    private RedisHttpCacheStore store(String url) {
        RedisHttpCacheStore store = RedisHttpCacheStore.builder(url)
                .keyPrefix(prefix)
                .clock(clock)
                .commandTimeout(Duration.ofSeconds(2)) // generous: these tests are about a Redis that answers
                .build();
        opened.add(store);
        return store;
    }

    /** One gateway instance: a cache over its own store objects. */
    private PolicyChain instance(HttpCacheStore store) {
        return PolicyChain.of(HttpCachePolicy.builder(store).clock(clock).build());
    }

    private FakeResponse get(PolicyChain instance, String path, String... headers) {
        FakeExchange exchange = FakeExchange.get(path).header("Host", "example.test");
        for (int i = 0; i < headers.length; i += 2) {
            exchange.header(headers[i], headers[i + 1]);
        }
        return FakeHost.serve(
                instance,
                exchange,
                e -> FakeResponse.ok("body " + calls.incrementAndGet() + " "
                                + e.requestHeaders().first("Accept-Language").orElse(""))
                        .header("Cache-Control", "max-age=60")
                        .header("Vary", "Accept-Language"));
    }

    private static CachedResponse everyField() {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        Headers headers = Headers.of(
                "Link", "</a>; rel=preload",
                "Content-Type", "application/octet-stream",
                "Link", "</b>; rel=preload",
                "X-Note", "caf\u00e9 \u2603");
        return new CachedResponse(
                StoredResponse.of(203, headers, body),
                List.of("accept-encoding", "accept-language"),
                "accept-encoding:gzip\naccept-language:\u0000\n",
                START.plusNanos(123_456_789),
                Duration.ofSeconds(3),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30),
                Duration.ofSeconds(45));
    }

    @Test
    void aResponseComesBackWithEveryFieldThroughAnotherStoreObject() {
        String url = RedisSupport.requireRedis();
        CachedResponse stored = everyField();
        store(url).put("http://example.test/blob", stored);

        List<CachedResponse> read = store(url).variants("http://example.test/blob");

        assertThat(read).hasSize(1);
        CachedResponse back = read.get(0);
        assertThat(back.response().status()).isEqualTo(203);
        assertThat(back.response().headers()).isEqualTo(stored.response().headers());
        assertThat(back.response().headers().all("Link")).containsExactly("</a>; rel=preload", "</b>; rel=preload");
        assertThat(back.response().body()).isEqualTo(stored.response().body());
        assertThat(back.varyNames()).containsExactly("accept-encoding", "accept-language");
        assertThat(back.variant()).isEqualTo(stored.variant());
        assertThat(back.storedAt()).isEqualTo(stored.storedAt());
        assertThat(back.initialAge()).isEqualTo(Duration.ofSeconds(3));
        assertThat(back.lifetime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(back.staleWhileRevalidate()).isEqualTo(Duration.ofSeconds(30));
        assertThat(back.staleIfError()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void theKeyExpiresWhenTheResponseCanNoLongerBeServed() {
        String url = RedisSupport.requireRedis();
        clock.set(START.plusSeconds(10));
        store(url).put("http://example.test/blob", everyField());

        try (RedisConnection raw = RedisConnection.open(url, Duration.ofSeconds(1))) {
            long ttl = raw.commands().pttl((prefix + "http://example.test/blob").getBytes(StandardCharsets.UTF_8));
            // lifetime 60 s - age (3 s initial + 9.877 s since it was stored) + the longer of
            // stale-while-revalidate (30 s) and stale-if-error (45 s)
            assertThat(ttl).as("less the time the test took").isBetween(87_123L, 92_123L);
        }
    }

    @Test
    void keepStaleKeepsAResponseThatCanNoLongerBeServedForRevalidation() {
        String url = RedisSupport.requireRedis();
        RedisHttpCacheStore keeping = RedisHttpCacheStore.builder(url)
                .keyPrefix(prefix)
                .clock(clock)
                .keepStale(Duration.ofMinutes(1))
                .build();
        opened.add(keeping);
        clock.set(START.plusSeconds(150)); // 60 s + 45 s - (3 s + 149.877 s): nothing left to serve

        store(url).put("http://example.test/dropped", everyField());
        keeping.put("http://example.test/kept", everyField());

        assertThat(keeping.variants("http://example.test/dropped")).isEmpty();
        assertThat(keeping.variants("http://example.test/kept")).hasSize(1);
        try (RedisConnection raw = RedisConnection.open(url, Duration.ofSeconds(1))) {
            long ttl = raw.commands().pttl((prefix + "http://example.test/kept").getBytes(StandardCharsets.UTF_8));
            assertThat(ttl)
                    .as("-47.877 s + 60 s kept, less the time the test took")
                    .isBetween(7_123L, 12_123L);
        }
    }

    @Test
    void aResponseStoredThroughOneInstanceIsAHitOnAnotherWithItsAge() {
        String url = RedisSupport.requireRedis();
        PolicyChain a = instance(TieredHttpCacheStore.of(store(url), 1 << 20, Duration.ofSeconds(2)));
        PolicyChain b = instance(TieredHttpCacheStore.of(store(url), 1 << 20, Duration.ofSeconds(2)));

        get(a, "/items");
        clock.advance(Duration.ofSeconds(5));
        FakeResponse onB = get(b, "/items");

        assertThat(calls).hasValue(1);
        assertThat(onB.bodyText()).isEqualTo("body 1 ");
        assertThat(onB.headers().first("Age")).hasValue("5");
        assertThat(onB.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=55");
    }

    @Test
    void aResponseStoredThroughOneInstanceStandsInForTheOthersServiceErrorWithinStaleIfError() {
        String url = RedisSupport.requireRedis();
        PolicyChain a = instance(store(url));
        PolicyChain b = instance(store(url));
        FakeHost.serve(
                a,
                FakeExchange.get("/sie").header("Host", "example.test"),
                e -> FakeResponse.ok("stored by a").header("Cache-Control", "max-age=60, stale-if-error=300"));
        clock.advance(Duration.ofSeconds(200));

        FakeResponse onB = FakeHost.serve(
                b,
                FakeExchange.get("/sie").header("Host", "example.test"),
                e -> FakeResponse.of(503).withBody("down"));

        assertThat(onB.status()).isEqualTo(200);
        assertThat(onB.bodyText()).isEqualTo("stored by a");
        assertThat(onB.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=stale; fwd-status=503; detail=stale-if-error");
    }

    @Test
    void eachInstanceServesTheVariantsTheOtherStored() {
        String url = RedisSupport.requireRedis();
        PolicyChain a = instance(store(url));
        PolicyChain b = instance(store(url));

        get(a, "/greeting", "Accept-Language", "en");
        get(b, "/greeting", "Accept-Language", "fr");
        FakeResponse frOnA = get(a, "/greeting", "Accept-Language", "fr");
        FakeResponse enOnB = get(b, "/greeting", "Accept-Language", "EN ");

        assertThat(calls).hasValue(2);
        assertThat(frOnA.bodyText()).isEqualTo("body 2 fr");
        assertThat(enOnB.bodyText()).isEqualTo("body 1 en");
        assertThat(enOnB.headers().first("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).contains("hit"));
    }

    @Test
    void aPurgeOnOneInstanceReachesRedisAndTheOtherInstanceWithinItsLocalTtl() throws Exception {
        String url = RedisSupport.requireRedis();
        Duration localTtl = Duration.ofMillis(300);
        TieredHttpCacheStore storeA = TieredHttpCacheStore.of(store(url), 1 << 20, localTtl);
        HttpCachePolicy cacheA = HttpCachePolicy.builder(storeA).clock(clock).build();
        PolicyChain a = PolicyChain.of(cacheA);
        PolicyChain b = instance(TieredHttpCacheStore.of(store(url), 1 << 20, localTtl));
        for (String path : List.of("/items/1", "/items/2", "/other")) {
            get(a, path);
            get(b, path); // a hit, now in b's local tier too
        }
        assertThat(calls).hasValue(3);

        assertThat(cacheA.purge("http://example.test/other")).isTrue();
        assertThat(cacheA.purgeByPrefix("http://example.test/items/")).isEqualTo(2);
        assertThat(get(a, "/items/1").headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60");
        assertThat(store(url).variants("http://example.test/items/2")).isEmpty();
        assertThat(store(url).variants("http://example.test/other")).isEmpty();
        Thread.sleep(localTtl.toMillis() + 200);
        FakeResponse otherOnB = get(b, "/other");
        FakeResponse item2OnB = get(b, "/items/2");

        assertThat(otherOnB.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60");
        assertThat(item2OnB.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60");
        assertThat(calls).hasValue(6);
    }

    @Test
    void aPrefixPurgeMatchesItsGlobCharactersLiterally() {
        String url = RedisSupport.requireRedis();
        RedisHttpCacheStore store = store(url);
        store.put("http://example.test/a?b=1", everyField());
        store.put("http://example.test/aXb=1", everyField());
        store.put("http://example.test/a*", everyField());

        assertThat(store.removeByPrefix("http://example.test/a?")).isEqualTo(1);
        assertThat(store.variants("http://example.test/aXb=1")).hasSize(1);
        assertThat(store.variants("http://example.test/a*")).hasSize(1);
    }

    @Test
    void aDeadRedisMakesMissesAndDroppedWritesThatTheServiceAnswersAndTheLogExplains() throws Exception {
        CapturingLogger log = new CapturingLogger("cache", Level.WARN);
        try (RedisSupport.Process redis = new RedisSupport.Process();
                RedisHttpCacheStore store = RedisHttpCacheStore.builder(redis.url())
                        .keyPrefix(prefix)
                        .clock(clock)
                        .commandTimeout(Duration.ofMillis(200))
                        .breakerWindow(Duration.ofMillis(300))
                        .logger(log)
                        .build()) {
            HttpCachePolicy cache = HttpCachePolicy.builder(store).clock(clock).build();
            PolicyChain instance = PolicyChain.of(cache);
            get(instance, "/items");
            assertThat(get(instance, "/items").headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=60");

            redis.kill();
            List<FakeResponse> whileDown = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                whileDown.add(get(instance, "/items"));
            }
            assertThat(cache.purgeByPrefix("http://example.test/")).isZero();

            assertThat(whileDown).allSatisfy(response -> {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.headers().first("Cache-Status"))
                        .hasValue("gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60");
            });
            assertThat(calls).hasValue(5);
            assertThat(store.down()).isTrue();
            assertThat(log.events())
                    .filteredOn(event -> event.level() == Level.WARN)
                    .singleElement()
                    .satisfies(event -> assertThat(event.message())
                            .startsWith("cache: Redis failed to read http://example.test/items (")
                            .contains("reads are misses and writes are dropped"));

            redis.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (store.down() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                get(instance, "/items");
            }
            assertThat(store.down()).as("recovered without restart").isFalse();
            assertThat(log.events())
                    .last()
                    .satisfies(event -> assertThat(event.message())
                            .isEqualTo("cache: Redis is back; reading and writing responses there again"));
        }
    }

    @Test
    void aClusterStoresReadsAndPurgesByPrefixOnEveryMaster() throws Exception {
        RedisSupport.requireRedis();
        try (RedisSupport.Cluster cluster = new RedisSupport.Cluster()) {
            RedisHttpCacheStore writer = store(cluster.url());
            RedisHttpCacheStore reader = store(cluster.url());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                keys.add("http://example.test/items/" + i);
                writer.put(keys.get(i), everyField());
            }
            writer.put("http://example.test/other", everyField());

            assertThat(keys).allSatisfy(key -> assertThat(reader.variants(key)).hasSize(1));
            assertThat(reader.removeByPrefix("http://example.test/items/")).isEqualTo(40);
            assertThat(keys).allSatisfy(key -> assertThat(writer.variants(key)).isEmpty());
            assertThat(writer.variants("http://example.test/other")).hasSize(1);
            assertThat(reader.remove("http://example.test/other")).isTrue();
            assertThat(writer.down()).isFalse();
        }
    }
}
