package dev.gatehouse.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.gatehouse.headers.SecurityHeadersPolicy;
import org.jspecify.annotations.Nullable;

/**
 * {@code Strict-Transport-Security}, sent on responses to HTTPS requests only: {@code false} when TLS ends before
 * this host and another layer sends it, or settings (an object means enabled unless it says {@code enabled:
 * false}).
 *
 * @param maxAge how long browsers keep to HTTPS; {@code 8760h} (a year) when unset
 * @param includeSubDomains for every subdomain too; {@code false} when unset
 * @param preload asks to be preloaded into browsers; needs {@code includeSubDomains} and a year or more
 */
public record HstsConfig(
        @Nullable Boolean enabled,
        @Nullable String maxAge,
        @Nullable Boolean includeSubDomains,
        @Nullable Boolean preload) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public HstsConfig {
        enabled = enabled == null || enabled;
        includeSubDomains = includeSubDomains != null && includeSubDomains;
        preload = preload != null && preload;
        applyTo(SecurityHeadersPolicy.builder(), enabled, maxAge, includeSubDomains, preload);
    }

    /** Whether HSTS is sent; {@code true} unless set. */
    @Override
    public Boolean enabled() {
        return enabled == null || enabled;
    }

    void applyTo(SecurityHeadersPolicy.Builder builder) {
        applyTo(builder, enabled(), maxAge, includeSubDomains, preload);
    }

    private static void applyTo(
            SecurityHeadersPolicy.Builder builder,
            boolean enabled,
            @Nullable String maxAge,
            @Nullable Boolean includeSubDomains,
            @Nullable Boolean preload) {
        if (!enabled) {
            builder.noHsts();
            return;
        }
        builder.hsts(
                maxAge == null ? java.time.Duration.ofDays(365) : ConfigValues.duration(maxAge),
                Boolean.TRUE.equals(includeSubDomains),
                Boolean.TRUE.equals(preload));
    }

    /** {@code hsts: true} or {@code false}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static HstsConfig valueOf(Boolean enabled) {
        return new HstsConfig(enabled, null, null, null);
    }

    /** {@code true} or {@code false}, as a property value reads. */
    public static HstsConfig valueOf(String enabled) {
        return valueOf(Flags.parse(enabled));
    }
}
