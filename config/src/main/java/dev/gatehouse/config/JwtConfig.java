package dev.gatehouse.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** JWT issuers, the audiences accepted, and the clock skew allowed on {@code exp}, {@code nbf} and {@code iat}. */
public record JwtConfig(
        List<IssuerConfig> issuers,
        List<String> audiences,
        @Nullable String leeway) {
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
    }
}
