package dev.gatehouse.spring;

import dev.gatehouse.config.AuthConfig;
import dev.gatehouse.config.CacheStoreConfig;
import dev.gatehouse.config.CorsConfig;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.IpRulesConfig;
import dev.gatehouse.config.RouteConfig;
import dev.gatehouse.config.SecurityHeadersConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code gatehouse.*} properties: the same vocabulary as the example gateway's YAML ({@link GatehouseConfig}),
 * so a route written for one works in the other. Bad values stop the start-up with the property that holds them.
 *
 * @param enabled Whether Gatehouse filters requests at all.
 * @param redis Redis URL (redis://host:port or rediss://) for rate-limit buckets and idempotency records shared by
 *     every instance; in this process's memory when unset.
 * @param auth Credentials accepted (JWT issuers and keys, opaque tokens checked by introspection, API keys) and the
 *     headers that carry the principal.
 * @param trustedProxies Networks (10.0.0.0/8) whose X-Forwarded-For is believed.
 * @param trustedProxiesHeader Which field the trusted proxies write: x-forwarded-for (the default) or forwarded
 *     (RFC 7239).
 * @param routes Routes (a path prefix or pattern, optional methods) with their policies; the most specific wins, and
 *     requests that match none get a request id and an access-log line only.
 * @param cors CORS for every route that sets none of its own.
 * @param securityHeaders Security response headers for every route that sets none of its own.
 * @param ipRules Allowed and denied networks for every route that sets none of its own.
 * @param cache Where cached routes keep their responses: store local (in memory, max-size 64MiB) or redis (the Redis
 *     of gatehouse.redis, or of spring.data.redis.*, shared by every instance, behind a local tier that keeps each
 *     response at most local-ttl, 2s).
 */
@ConfigurationProperties("gatehouse")
public record GatehouseProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable String redis,
        @Nullable @NestedConfigurationProperty AuthConfig auth,
        @Nullable List<String> trustedProxies,
        @Nullable List<RouteConfig> routes,
        @Nullable @NestedConfigurationProperty CorsConfig cors,
        @Nullable @NestedConfigurationProperty SecurityHeadersConfig securityHeaders,
        @Nullable @NestedConfigurationProperty IpRulesConfig ipRules,
        @Nullable @NestedConfigurationProperty CacheStoreConfig cache,
        @Nullable String trustedProxiesHeader) {
    public GatehouseProperties {
        // a bad Redis URL or network stops the binding
        new GatehouseConfig(
                redis, auth, trustedProxies, routes, cors, securityHeaders, ipRules, cache, trustedProxiesHeader);
    }

    /** The configuration these properties describe. */
    public GatehouseConfig toConfig() {
        return new GatehouseConfig(
                redis, auth, trustedProxies, routes, cors, securityHeaders, ipRules, cache, trustedProxiesHeader);
    }
}
