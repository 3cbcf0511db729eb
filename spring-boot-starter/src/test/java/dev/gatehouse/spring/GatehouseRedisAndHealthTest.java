package dev.gatehouse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.RouteTable;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import dev.gatehouse.redis.RedisTokenBucketStore;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.RedisSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The stores on a real Redis, found from gatehouse.redis or from Spring Data Redis, and their health. */
class GatehouseRedisAndHealthTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class))
            .withPropertyValues(
                    "gatehouse.routes[0].path=/limited",
                    "gatehouse.routes[0].rate-limit.key=header:X-Client",
                    "gatehouse.routes[0].rate-limit.per-minute=3");

    private static int status(RouteTable routes, String client) {
        return FakeHost.serve(
                        routes.select("GET", "/limited/x").chain(),
                        FakeExchange.get("/limited/x").header("X-Client", client),
                        exchange -> FakeResponse.ok("ok"))
                .status();
    }

    @Test
    void twoInstancesOnOneRedisShareOneBudget() {
        String redis = RedisSupport.requireRedis();
        String client = UUID.randomUUID().toString();
        runner.withPropertyValues("gatehouse.redis=" + redis)
                .run(first -> runner.withPropertyValues("gatehouse.redis=" + redis)
                        .run(second -> {
                            assertThat(first.getBean(BucketStore.class)).isInstanceOf(RedisTokenBucketStore.class);
                            RouteTable one = first.getBean(RouteTable.class);
                            RouteTable two = second.getBean(RouteTable.class);

                            assertThat(status(one, client)).isEqualTo(200);
                            assertThat(status(two, client)).isEqualTo(200);
                            assertThat(status(one, client)).isEqualTo(200);
                            assertThat(status(two, client))
                                    .as("the fourth request of three allowed")
                                    .isEqualTo(429);
                            assertThat(health(second).getStatus()).isEqualTo(Status.UP);
                            assertThat(health(second).getDetails()).containsKey("/limited/** ratelimit");
                        }));
    }

    @Test
    void withoutGatehouseRedisTheRedisThatSpringDataRedisNamesIsUsed() {
        URI redis = URI.create(RedisSupport.requireRedis());
        runner.withBean(DataRedisConnectionDetails.class, () -> new DataRedisConnectionDetails() {
                    @Override
                    public Standalone getStandalone() {
                        return Standalone.of(redis.getHost(), redis.getPort() < 0 ? 6379 : redis.getPort());
                    }
                })
                .run(context -> {
                    assertThat(context.getBean(BucketStore.class)).isInstanceOf(RedisTokenBucketStore.class);
                    assertThat(status(
                                    context.getBean(RouteTable.class),
                                    UUID.randomUUID().toString()))
                            .isEqualTo(200);
                });
    }

    @Test
    void withCacheStoreRedisTwoInstancesShareCachedResponses() {
        String redis = RedisSupport.requireRedis();
        String host = "shop-" + UUID.randomUUID() + ".example";
        AtomicInteger calls = new AtomicInteger();
        WebApplicationContextRunner cached = runner.withPropertyValues(
                "gatehouse.redis=" + redis,
                "gatehouse.cache.store=redis",
                "gatehouse.cache.local-ttl=1s",
                "gatehouse.routes[1].path=/cached",
                "gatehouse.routes[1].cache=true");
        cached.run(first -> cached.run(second -> {
            assertThat(first.getBean(HttpCacheStore.class)).isInstanceOf(TieredHttpCacheStore.class);
            List<FakeResponse> responses = new ArrayList<>();
            for (RouteTable routes : List.of(first.getBean(RouteTable.class), second.getBean(RouteTable.class))) {
                responses.add(FakeHost.serve(
                        routes.select("GET", "/cached/x").chain(),
                        FakeExchange.get("/cached/x").header("Host", host),
                        exchange -> FakeResponse.ok("call " + calls.incrementAndGet())
                                .header("Cache-Control", "max-age=60")));
            }

            assertThat(calls).hasValue(1);
            assertThat(responses.get(1).bodyText()).isEqualTo("call 1");
            assertThat(responses.get(1).headers().first("Cache-Status"))
                    .hasValueSatisfying(status -> assertThat(status).startsWith("gatehouse; hit"));
        }));
    }

    @Test
    void theCachesRedisStoreIsMeteredButLeavesTheHealthAlone() {
        String redis = RedisSupport.requireRedis();
        runner.withPropertyValues("gatehouse.redis=" + redis, "gatehouse.cache.store=redis")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);

                    assertThat(registry.get("gatehouse.cache.store.down")
                                    .tag("policy", "cache")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(health(context).getDetails()).doesNotContainKey("cache");
                });
    }

    @Test
    void cacheStoreRedisWithoutARedisOrWithABadValueStopsTheStartAndSaysWhy() {
        runner.withPropertyValues("gatehouse.cache.store=redis")
                .run(context -> assertThat(GatehouseAutoConfigurationTest.messages(context.getStartupFailure()))
                        .contains("gatehouse.cache.store is redis, but no Redis is named"));
        runner.withPropertyValues("gatehouse.cache.store=memcached")
                .run(context -> assertThat(GatehouseAutoConfigurationTest.messages(context.getStartupFailure()))
                        .contains("store memcached (expected: local or redis)"));
    }

    @Test
    void anUnreachableRedisStopsTheStartAndSaysWhere() {
        runner.withPropertyValues("gatehouse.redis=redis://127.0.0.1:1")
                .run(context -> assertThat(GatehouseAutoConfigurationTest.messages(context.getStartupFailure()))
                        .contains("Redis at redis://127.0.0.1:1 is unreachable"));
    }

    @Test
    void theHealthIsDownWhileAStoreIsDownAndNamesTheRoute() {
        runner.withUserConfiguration(FailingBuckets.class).run(context -> {
            assertThat(health(context).getStatus()).isEqualTo(Status.UP);

            int answered = status(context.getBean(RouteTable.class), "someone");

            assertThat(answered).as("fail-open by default").isEqualTo(200);
            Health health = health(context);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("/limited/** ratelimit").toString())
                    .contains("status=DOWN")
                    .contains("admittedWithoutStore=1");
        });
    }

    @Test
    void theHealthIndicatorCanBeTurnedOff() {
        runner.withPropertyValues("management.health.gatehouse.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("gatehouseHealthIndicator"));
    }

    private static Health health(org.springframework.context.ApplicationContext context) {
        return context.getBean("gatehouseHealthIndicator", GatehouseHealthIndicator.class)
                .health();
    }

    /** A bucket store whose server is gone: every call fails as a Redis store's would. */
    @Configuration(proxyBeanMethods = false)
    static class FailingBuckets {
        @Bean
        BucketStore unreachable() {
            return (key, limits, cost) -> {
                throw new StoreUnavailableException("connection refused", new java.io.IOException("refused"));
            };
        }
    }
}
