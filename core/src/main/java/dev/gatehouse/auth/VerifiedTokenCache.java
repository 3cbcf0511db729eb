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
 * <token>}) when the token has no whitespace around it, else the bare token. A key compares every character on
 * a hit, so a different text can never be mistaken for a verified one — there is no digest and no collision to
 * reason about — and the two kinds of key never meet (a token has no space). Memory is bounded by {@code
 * maxTokens × (maxTokenLength + 7)} characters of key plus one principal per entry. Caffeine evicts by size
 * only; an entry past its instant is dropped when next read, or evicted as it goes cold.
 *
 * <p>A hit costs one small key object, a hash of 16 characters and one comparison of the text: no substring, no
 * digest. Hashing the whole text instead would cost a server about 230 ns per request on Java 17 (whose
 * {@code String.hashCode} is not vectorized), since every request brings a new string.
 */
final class VerifiedTokenCache {
    private record Entry(Authentication.Authenticated authenticated, long validUntilMillis) {}

    /**
     * The credential text as a key. Equal only to the same text, compared in full; hashed over its length and
     * last 16 characters (the end of the signature), so that a server's new string per request costs 16
     * characters of hashing rather than the whole token. Only verified tokens are stored, so no client can fill
     * a bucket.
     */
    private static final class Key {
        private static final int HASHED = 16;

        final String text;
        final int hash;

        Key(String text) {
            this.text = text;
            int length = text.length();
            int hash = length;
            for (int i = Math.max(0, length - HASHED); i < length; i++) {
                hash = 31 * hash + text.charAt(i);
            }
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && hash == key.hash && text.equals(key.text);
        }
    }

    private final @Nullable Cache<Key, Entry> cache;
    private final Clock clock;

    VerifiedTokenCache(long maxTokens, boolean enabled, Clock clock) {
        this.cache = enabled && maxTokens > 0
                // Upkeep on the calling thread: scheduling it on the common pool wakes a thread every few hits.
                ? Caffeine.newBuilder()
                        .maximumSize(maxTokens)
                        .executor(Runnable::run)
                        .build()
                : null;
        this.clock = clock;
    }

    /** The verified credential {@code key}, if cached and still valid now. */
    Authentication.@Nullable Authenticated get(String key) {
        if (cache == null) {
            return null;
        }
        Key lookup = new Key(key);
        Entry entry = cache.getIfPresent(lookup);
        if (entry == null) {
            return null;
        }
        if (clock.millis() < entry.validUntilMillis()) {
            return entry.authenticated();
        }
        cache.invalidate(lookup);
        return null;
    }

    /** Remembers that {@code key} verified as {@code authenticated}, until {@code validUntilMillis}. */
    void put(String key, Authentication.Authenticated authenticated, long validUntilMillis) {
        if (cache != null) {
            cache.put(new Key(key), new Entry(authenticated, validUntilMillis));
        }
    }
}
