package dev.gatehouse.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Verified tokens, each until {@code min(exp + leeway, verification + ttl)}: the cache never extends a token's
 * life, since every hit checks that instant against the injected clock.
 *
 * <p>Keys are the exact credential text that was verified: the whole {@code Authorization} value ({@code Bearer
 * <token>}) when the token has no whitespace around it, else the bare token. A {@code String} key compares every
 * character on a hit, so a different text can never be mistaken for a verified one — there is no digest and no
 * collision to reason about — and the two kinds of key never meet (a token has no space). Memory is bounded by
 * {@code maxTokens × (maxTokenLength + 7)} characters of key plus one principal per entry. Caffeine evicts by
 * size only; an entry past its instant is dropped when next read, or evicted as it goes cold.
 */
final class VerifiedTokenCache {
    private record Entry(Authentication.Authenticated authenticated, long validUntilMillis) {}

    private final @Nullable Cache<String, Entry> cache;
    private final Clock clock;

    VerifiedTokenCache(long maxTokens, boolean enabled, Clock clock) {
        this.cache = enabled && maxTokens > 0
                ? Caffeine.newBuilder().maximumSize(maxTokens).build()
                : null;
        this.clock = clock;
    }

    /** The verified credential {@code key}, if cached and still valid now. */
    Authentication.@Nullable Authenticated get(String key) {
        if (cache == null) {
            return null;
        }
        Entry entry = cache.getIfPresent(key);
        if (entry == null) {
            return null;
        }
        if (clock.millis() < entry.validUntilMillis()) {
            return entry.authenticated();
        }
        cache.invalidate(key);
        return null;
    }

    /** Remembers that {@code key} verified as {@code authenticated}, until {@code validUntilMillis}. */
    void put(String key, Authentication.Authenticated authenticated, long validUntilMillis) {
        if (cache != null) {
            cache.put(key, new Entry(authenticated, validUntilMillis));
        }
    }
}
