package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.testing.FakeExchange;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {
    private static Principal jwt(String subject, String issuer) {
        return new Principal(
                subject, Optional.empty(), Set.of(), Optional.empty(), Map.of(), "jwt", Optional.of(issuer));
    }

    @Test
    void aSubjectIsOnePrincipalPerIssuerForKeys() {
        assertThat(jwt("alice", "https://idp.test/").key())
                .isNotEqualTo(jwt("alice", "https://other.test/").key());
        assertThat(jwt("alice", "https://idp.test/").key())
                .isEqualTo(jwt("alice", "https://idp.test/").key());
        // No issuer and subject spell another pair's key.
        assertThat(jwt("b:c", "a").key()).isNotEqualTo(jwt("c", "a:b").key());
        assertThat(new Principal("owner-1", Optional.empty(), Set.of(), Optional.empty(), Map.of(), "api-key").key())
                .isEqualTo("api-key:owner-1");
    }

    @Test
    void theRateLimitKeyOfAPrincipalTellsIssuersApart() {
        FakeExchange victim = FakeExchange.get("/");
        victim.setAttribute(Principal.KEY, jwt("alice", "https://idp.test/"));
        FakeExchange other = FakeExchange.get("/");
        other.setAttribute(Principal.KEY, jwt("alice", "https://other.test/"));

        assertThat(RateLimitKey.principal().of(victim))
                .isNotEqualTo(RateLimitKey.principal().of(other));
    }
}
