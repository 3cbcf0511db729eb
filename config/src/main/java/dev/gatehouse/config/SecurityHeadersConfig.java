package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gatehouse.ClientAddress;
import dev.gatehouse.headers.SecurityHeadersPolicy;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Security response headers ({@link SecurityHeadersPolicy}): {@code true} for the defaults (HSTS for a year on
 * HTTPS, {@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY}, {@code Referrer-Policy:
 * no-referrer}), {@code false} for none, or settings (an object means enabled unless it says {@code enabled:
 * false}).
 *
 * @param hsts {@code Strict-Transport-Security} on HTTPS responses; {@code false} for none
 * @param frameOptions {@code DENY} (the default) or {@code SAMEORIGIN}
 * @param frameAncestors CSP sources that may frame the responses ({@code 'self'}, {@code https://portal.example.com}),
 *     sent as {@code Content-Security-Policy: frame-ancestors ...} instead of {@code X-Frame-Options}
 * @param referrerPolicy {@code no-referrer} (the default), {@code same-origin}, {@code strict-origin}, ...
 * @param overrideService replaces the values the service set itself; {@code false} (they are kept) when unset
 */
public record SecurityHeadersConfig(
        @Nullable Boolean enabled,
        @Nullable HstsConfig hsts,
        @Nullable String frameOptions,
        @Nullable List<String> frameAncestors,
        @Nullable String referrerPolicy,
        @Nullable Boolean overrideService) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public SecurityHeadersConfig {
        enabled = enabled == null || enabled;
        frameAncestors = frameAncestors == null ? List.of() : List.copyOf(frameAncestors);
        overrideService = overrideService != null && overrideService;
        if (frameOptions != null && !frameAncestors.isEmpty()) {
            throw new IllegalArgumentException("frameOptions " + frameOptions
                    + " with frameAncestors (expected: one or the other; frameAncestors replaces X-Frame-Options)");
        }
        policy(hsts, frameOptions, frameAncestors, referrerPolicy, overrideService, ClientAddress.direct());
    }

    /** Whether the headers are added; {@code true} unless set. */
    @Override
    public Boolean enabled() {
        return enabled == null || enabled;
    }

    /** The policy these settings describe, for a host that no proxy fronts. */
    public SecurityHeadersPolicy policy() {
        return policy(ClientAddress.direct());
    }

    /** The policy these settings describe; {@code clients}' trusted proxies may say the client used HTTPS. */
    public SecurityHeadersPolicy policy(ClientAddress clients) {
        return policy(hsts, frameOptions, frameAncestors, referrerPolicy, overrideService, clients);
    }

    private static SecurityHeadersPolicy policy(
            @Nullable HstsConfig hsts,
            @Nullable String frameOptions,
            @Nullable List<String> frameAncestors,
            @Nullable String referrerPolicy,
            @Nullable Boolean overrideService,
            ClientAddress clients) {
        SecurityHeadersPolicy.Builder builder = SecurityHeadersPolicy.builder().clientAddress(clients);
        if (hsts != null) {
            hsts.applyTo(builder);
        }
        if (frameOptions != null) {
            builder.frameOptions(frameOptions);
        }
        if (frameAncestors != null && !frameAncestors.isEmpty()) {
            builder.frameAncestors(frameAncestors.toArray(String[]::new));
        }
        if (referrerPolicy != null) {
            builder.referrerPolicy(referrerPolicy);
        }
        if (Boolean.TRUE.equals(overrideService)) {
            builder.overrideService();
        }
        return Policies.built(builder::build);
    }

    /** {@code securityHeaders: true} or {@code false}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static SecurityHeadersConfig valueOf(Boolean enabled) {
        return new SecurityHeadersConfig(enabled, null, null, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static SecurityHeadersConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
