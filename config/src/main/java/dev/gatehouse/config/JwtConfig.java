package dev.gatehouse.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * JWT issuers, the audiences accepted, and the clock skew allowed on {@code exp}, {@code nbf} and {@code iat};
 * optionally {@code requireAccessTokenType: true} (only {@code typ: at+jwt}, RFC 9068, so that an ID token is never
 * taken as an access token), the claims that name the principal's tenant and plan ({@code tenantClaim}, {@code
 * planClaim}: {@code tenant} and {@code plan}), the longest token read ({@code maxTokenLength}, 8192), and {@code
 * allowQueryParameter: true} to also read the {@code access_token} query parameter (RFC 6750 §2.3; off: URLs are
 * logged by every proxy).
 */
public record JwtConfig(
        List<IssuerConfig> issuers,
        List<String> audiences,
        @Nullable String leeway,
        @Nullable Boolean requireAccessTokenType,
        @Nullable String tenantClaim,
        @Nullable String planClaim,
        @Nullable Integer maxTokenLength,
        @Nullable Boolean allowQueryParameter) {
    public JwtConfig {
        if (issuers == null || issuers.isEmpty()) {
            throw new IllegalArgumentException("no issuers (expected: at least one)");
        }
        if (audiences == null || audiences.isEmpty()) {
            throw new IllegalArgumentException("no audiences (expected: at least one)");
        }
        issuers = List.copyOf(issuers);
        audiences = List.copyOf(audiences);
        if (leeway != null) {
            ConfigValues.duration(leeway);
        }
        if (tenantClaim != null && tenantClaim.isBlank()) {
            throw new IllegalArgumentException("tenantClaim: empty (expected: a claim name)");
        }
        if (planClaim != null && planClaim.isBlank()) {
            throw new IllegalArgumentException("planClaim: empty (expected: a claim name)");
        }
        if (maxTokenLength != null && maxTokenLength < 64) {
            throw new IllegalArgumentException("maxTokenLength " + maxTokenLength + " (expected: 64 or more)");
        }
    }
}
