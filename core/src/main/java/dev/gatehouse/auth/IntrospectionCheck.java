package dev.gatehouse.auth;

import dev.gatehouse.Principal;
import dev.gatehouse.internal.Printable;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges what an introspection endpoint said about a token, and for how long the verdict may be remembered: an
 * active token whose {@code exp} and {@code nbf} hold now, whose {@code iss} and {@code aud} match when they are
 * required, and which names a header-safe subject ({@code sub}, else {@code client_id}) becomes a {@link
 * Principal} until {@code min(exp, now + ttl)}; anything else is refused and remembered for {@code negativeTtl}.
 */
final class IntrospectionCheck {
    private static final int MAX_VALUE_LENGTH = 256;

    /** A verdict and the instant until which it may be reused. */
    record Verdict(Authentication authentication, long validUntilMillis) {}

    private final Optional<String> issuer;
    private final Set<String> audiences;
    private final Duration ttl;
    private final Duration negativeTtl;

    IntrospectionCheck(Optional<String> issuer, Set<String> audiences, Duration ttl, Duration negativeTtl) {
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.ttl = ttl;
        this.negativeTtl = negativeTtl;
    }

    Verdict judge(IntrospectionEndpoint.TokenInfo info, long nowMillis, String tokenHash) {
        if (!info.active()) {
            return refused(nowMillis, "token " + tokenHash + " is not active");
        }
        long nowSeconds = Math.floorDiv(nowMillis, 1000);
        if (info.expiresAt().isPresent() && info.expiresAt().getAsLong() <= nowSeconds) {
            return refused(
                    nowMillis,
                    "token " + tokenHash + " expired at " + info.expiresAt().getAsLong());
        }
        if (info.notBefore().isPresent() && info.notBefore().getAsLong() > nowSeconds) {
            return refused(
                    nowMillis,
                    "token " + tokenHash + " not before " + info.notBefore().getAsLong());
        }
        if (issuer.isPresent() && !info.issuer().equals(issuer)) {
            return refused(
                    nowMillis,
                    "iss expected " + issuer.get() + " got "
                            + info.issuer().map(iss -> Printable.of(iss, 80)).orElse("none"));
        }
        if (!audiences.isEmpty() && info.audiences().stream().noneMatch(audiences::contains)) {
            return refused(
                    nowMillis,
                    "aud expected one of " + audiences + " got "
                            + Printable.of(info.audiences().toString(), 120));
        }
        Optional<String> subject = info.subject().or(info::clientId);
        if (subject.isEmpty() || !Printable.isVisibleAscii(subject.get(), MAX_VALUE_LENGTH)) {
            return refused(nowMillis, "token " + tokenHash + " has no header-safe sub or client_id");
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : info.scope().orElse("").split(" ")) {
            if (!scope.isEmpty()) {
                if (!Printable.isVisibleAscii(scope, MAX_VALUE_LENGTH) || scopes.size() >= 64) {
                    return refused(nowMillis, "token " + tokenHash + " has scopes that are not header-safe");
                }
                scopes.add(scope);
            }
        }
        Principal principal =
                new Principal(subject.get(), safe(info.tenant()), scopes, safe(info.plan()), Map.of(), "introspection");
        long until = nowMillis + ttl.toMillis();
        if (info.expiresAt().isPresent()) {
            until = Math.min(until, info.expiresAt().getAsLong() * 1000);
        }
        return new Verdict(new Authentication.Authenticated(principal), until);
    }

    private Verdict refused(long nowMillis, String reason) {
        return new Verdict(
                new Authentication.Failed(
                        Authentication.Fault.INVALID_CREDENTIAL, "The access token is not valid.", reason),
                nowMillis + negativeTtl.toMillis());
    }

    /** A tenant or plan that could not travel in a header is left out rather than trusted. */
    private static Optional<String> safe(Optional<String> value) {
        return value.filter(text -> Printable.isVisibleAscii(text, MAX_VALUE_LENGTH));
    }
}
