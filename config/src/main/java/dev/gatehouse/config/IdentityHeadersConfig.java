package dev.gatehouse.config;

import dev.gatehouse.IdentityHeaders;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request headers that carry the principal ({@code X-User-Id}, {@code X-Tenant-Id}, {@code X-Scopes},
 * {@code X-Plan} by default) and claims passed in headers of their own ({@code claims: {email:
 * X-User-Email}}). Client copies of all of them are removed on every route.
 */
public record IdentityHeadersConfig(
        @Nullable String user,
        @Nullable String tenant,
        @Nullable String scopes,
        @Nullable String plan,
        @Nullable Map<String, String> claims) {
    public IdentityHeadersConfig {
        claims = claims == null ? Map.of() : Map.copyOf(claims);
        build(user, tenant, scopes, plan, claims);
    }

    /** The core value these names describe. */
    public IdentityHeaders toIdentityHeaders() {
        return build(user, tenant, scopes, plan, claims());
    }

    private static IdentityHeaders build(
            @Nullable String user,
            @Nullable String tenant,
            @Nullable String scopes,
            @Nullable String plan,
            Map<String, String> claims) {
        IdentityHeaders.Builder builder = IdentityHeaders.builder();
        if (user != null) {
            builder.user(user);
        }
        if (tenant != null) {
            builder.tenant(tenant);
        }
        if (scopes != null) {
            builder.scopes(scopes);
        }
        if (plan != null) {
            builder.plan(plan);
        }
        claims.forEach(builder::claim);
        return builder.build();
    }
}
