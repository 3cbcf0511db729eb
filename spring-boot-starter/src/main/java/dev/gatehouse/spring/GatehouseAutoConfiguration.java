package dev.gatehouse.spring;

import dev.gatehouse.ChainListener;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.StoreHealth;
import dev.gatehouse.cache.HttpCacheStore;
import dev.gatehouse.cache.TieredHttpCacheStore;
import dev.gatehouse.config.CacheStoreConfig;
import dev.gatehouse.config.ClientAddressPolicy;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.RouteTableFactory;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.metrics.MicrometerChainListener;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.LocalBucketStore;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.servlet.OffloadFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletRequestListener;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Gatehouse in a Spring Boot servlet application: the {@code gatehouse.*} properties become a {@link RouteTable},
 * run by an {@link OffloadFilter} registered first of all filters, so that requests Spring Security refuses still
 * get a request id and an access-log line, a request without a token gets Gatehouse's 401, and no filter sees a
 * client's own copy of an identity header. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(OffloadFilter.class)
@ConditionalOnProperty(prefix = "gatehouse", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(GatehouseProperties.class)
public class GatehouseAutoConfiguration {
    /** The name of the filter's registration, and of the filter in the servlet context. */
    public static final String FILTER_NAME = OffloadFilter.NAME;

    /**
     * Rate-limit buckets: in Redis when {@code gatehouse.redis} is set (or, without it, when {@code
     * spring.data.redis.*} names a standalone Redis), else in this process's memory.
     */
    @Bean
    @ConditionalOnMissingBean
    BucketStore gatehouseBucketStore(GatehouseProperties properties, ObjectProvider<SpringDataRedis> springRedis) {
        return redisUrl(properties, springRedis).map(RedisStores::buckets).orElseGet(LocalBucketStore::ofDefaults);
    }

    /** Idempotency records: in the same Redis as the buckets, else in this process's memory. */
    @Bean
    @ConditionalOnMissingBean
    IdempotencyStore gatehouseIdempotencyStore(
            GatehouseProperties properties, ObjectProvider<SpringDataRedis> springRedis) {
        return redisUrl(properties, springRedis)
                .map(RedisStores::records)
                .orElseGet(InMemoryIdempotencyStore::ofDefaults);
    }

    /**
     * Where cached routes keep their responses: with {@code gatehouse.cache.store=redis} in the same Redis as the
     * buckets, behind a local tier of {@code gatehouse.cache.local-ttl}; else in this process's memory.
     */
    @Bean
    @ConditionalOnMissingBean
    HttpCacheStore gatehouseHttpCacheStore(
            GatehouseProperties properties, ObjectProvider<SpringDataRedis> springRedis) {
        CacheStoreConfig cache = properties.toConfig().cache();
        if (!cache.redis()) {
            return cache.open(null);
        }
        String url = redisUrl(properties, springRedis)
                .orElseThrow(() -> new IllegalStateException("gatehouse.cache.store is redis, but no Redis is named"
                        + " (expected: gatehouse.redis or spring.data.redis.*)"));
        return cache.open(RedisStores.cache(url, cache));
    }

    private static Optional<String> redisUrl(GatehouseProperties properties, ObjectProvider<SpringDataRedis> spring) {
        if (properties.redis() != null) {
            return Optional.of(properties.redis());
        }
        SpringDataRedis redis = spring.getIfAvailable();
        return redis == null ? Optional.empty() : redis.url();
    }

    /**
     * The routes of {@code gatehouse.routes}: each chain starts with the request id, the client address and the
     * access log, goes on with the route's policies, then the application's {@link OffloadPolicy} beans (in their
     * order), and passes every {@link GatehouseCustomizer}.
     */
    @Bean
    @ConditionalOnMissingBean
    RouteTable gatehouseRouteTable(
            GatehouseProperties properties,
            BucketStore buckets,
            IdempotencyStore records,
            HttpCacheStore cache,
            ObjectProvider<OffloadPolicy> policies,
            ObjectProvider<GatehouseCustomizer> customizers,
            ObjectProvider<ChainListener> listener) {
        GatehouseConfig config = properties.toConfig();
        RouteTableFactory factory = RouteTableFactory.of(config, buckets, records, cache);
        PolicyChain outer = PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("client-address", ClientAddressPolicy.of(factory.clientAddress()))
                .add("access-log", AccessLogPolicy.ofDefaults())
                .listener(listener.getIfAvailable(() -> ChainListener.NONE))
                .build();
        List<OffloadPolicy> own = policies.orderedStream().toList();
        List<GatehouseCustomizer> edits = customizers.orderedStream().toList();
        RouteTable table = factory.routeTable(outer, (route, chain) -> {
            GatehouseChain edited = new GatehouseChain(route, chain);
            own.forEach(policy -> edited.addLast(policy.name(), policy));
            edits.forEach(customizer -> customizer.customize(edited));
            return edited.build(chain);
        });
        if (outer.listener() instanceof MicrometerChainListener metrics) {
            bindStoreHealth(table, metrics);
            cacheHealth(cache).ifPresent(health -> metrics.bindStoreHealth("cache", health));
        }
        return table;
    }

    /**
     * The health of the shared store behind the cache (Redis), for meters. Not for the health indicator: the cache
     * serves misses while its store is down, so the application is not unhealthy for it.
     */
    private static Optional<StoreHealth> cacheHealth(HttpCacheStore cache) {
        HttpCacheStore shared = cache instanceof TieredHttpCacheStore tiered ? tiered.shared() : cache;
        return shared instanceof StoreHealth health ? Optional.of(health) : Optional.empty();
    }

    private static void bindStoreHealth(RouteTable table, MicrometerChainListener metrics) {
        StoreHealths.of(table).forEach((name, health) -> metrics.bindStoreHealth(name, health));
    }

    /**
     * The filter, first of all ({@link Ordered#HIGHEST_PRECEDENCE}), async-supported, for {@code REQUEST}, {@code
     * ASYNC} and {@code ERROR} dispatches: a failure the application throws goes to Boot's error handling ({@code
     * /error}), whose answer still passes through the policies.
     */
    @Bean
    @ConditionalOnMissingBean(value = OffloadFilter.class, parameterizedContainer = FilterRegistrationBean.class)
    FilterRegistrationBean<OffloadFilter> gatehouseFilter(RouteTable routes) {
        FilterRegistrationBean<OffloadFilter> registration =
                new FilterRegistrationBean<>(OffloadFilter.withErrorPages(routes));
        registration.setName(FILTER_NAME);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /**
     * Completes an exchange whose failure no error page answered (an application without Boot's error handling), so
     * that it is logged and releases what it holds.
     */
    @Bean
    @ConditionalOnMissingBean(name = "gatehouseErrorPageCompletion")
    ServletListenerRegistrationBean<ServletRequestListener> gatehouseErrorPageCompletion() {
        return new ServletListenerRegistrationBean<>(OffloadFilter.errorPageCompletion());
    }

    /** With Spring Data Redis: its connection details name Gatehouse's Redis when {@code gatehouse.redis} does not. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
    static class DataRedis {
        @Bean
        SpringDataRedis gatehouseSpringDataRedis(
                ObjectProvider<org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails> details) {
            return new SpringDataRedis(details);
        }
    }

    /** With Actuator's health contributors: {@code gatehouse}, DOWN while a store a policy depends on is down. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthContributors {
        @Bean
        @ConditionalOnMissingBean(name = "gatehouseHealthIndicator")
        @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("gatehouse")
        GatehouseHealthIndicator gatehouseHealthIndicator(RouteTable routes) {
            return new GatehouseHealthIndicator(StoreHealths.of(routes));
        }
    }

    /**
     * With Micrometer: exchanges, decisions and store health as meters in the application's {@link MeterRegistry},
     * when it has one (looked up when the route table is built, so whichever configuration defines it).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        ChainListener gatehouseChainListener(ObjectProvider<MeterRegistry> registry) {
            MeterRegistry meters = registry.getIfUnique();
            return meters == null ? ChainListener.NONE : new MicrometerChainListener(meters);
        }
    }
}
