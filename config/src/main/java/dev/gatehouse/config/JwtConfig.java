package dev.gatehouse.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * JWT issuers, the audiences accepted, and the clock skew allowed on {@code exp}, {@code nbf} and {@code iat};
 * optionally {@code requireAccessTokenType: true} (only {@code typ: at+jwt}, RFC 9068, so that an ID token is never
 * taken as an access token), the claims that name the principal's tenant and plan ({@code tenantClaim}, {@code
 * planClaim}: {@code tenant} and {@code plan}), the longest token read ({@code maxTokenLength}, 8192), and {@code
 * allowQueryParameter: true} to also read the {@code access_token} query parameter (RFC 6750 §2.3; off: URLs are
 * logged by every proxy); the longest claim value copied into a header ({@code maxClaimLength}, 256), and how long
 * and how many verified tokens are remembered ({@code cacheTtl}, 5m, never past a token's exp; {@code cacheSize},
 * 10000; 0 turns the cache off).
 */
public record JwtConfig(
        List<IssuerConfig> issuers,
        List<String> audiences,
        @Nullable String leeway,
        @Nullable Boolean requireAccessTokenType,
        @Nullable String tenantClaim,
        @Nullable String planClaim,
        @Nullable Integer maxTokenLength,
        @Nullable Boolean allowQueryParameter,
        @Nullable Integer maxClaimLength,
        @Nullable String cacheTtl,
        @Nullable Long cacheSize) {
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
        if (maxTokenLength != null && (maxTokenLength < 64 || maxTokenLength > 65536)) {
            throw new IllegalArgumentException("maxTokenLength " + maxTokenLength + " (expected: 64..65536)");
        }
        if (maxClaimLength != null && (maxClaimLength < 16 || maxClaimLength > 4096)) {
            throw new IllegalArgumentException("maxClaimLength " + maxClaimLength + " (expected: 16..4096)");
        }
        if (cacheTtl != null) {
            ConfigValues.duration(cacheTtl);
        }
        if (cacheSize != null && cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize " + cacheSize + " (expected: 0 or more; 0 turns it off)");
        }
    }
}
