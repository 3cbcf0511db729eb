package dev.gatehouse.cache;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A store of this process in front of a store shared by every instance (Redis, typically): reads try the local
 * tier first, then the shared one, and a shared hit fills the local tier with every variant the shared tier holds
 * for the key; writes, removals and purges go to both.
 *
 * <p><b>Purges and the local tier.</b> A purge (or an unsafe request's invalidation) on one instance removes the
 * key from Redis and from that instance's local tier, but cannot reach the local tiers of the other instances:
 * they go on serving their copy until it leaves their local tier. So the local tier must be short-lived: {@link
 * #of(HttpCacheStore, long, Duration)} keeps each key locally at most {@code localTtl} after it was last stored
 * here (a few seconds), which is then how long a purge takes to reach every instance. For the same reason a variant
 * or a newer response stored by another instance after this one filled its local tier is seen here only after
 * {@code localTtl}. Choose {@code localTtl} as the staleness a purge may have; with none acceptable, use the shared
 * store alone. While the shared store is down (a Redis store then answers misses), the local tier still serves
 * what this instance stored in the last {@code localTtl}.
 */
public final class TieredHttpCacheStore implements HttpCacheStore, AutoCloseable {
    private final HttpCacheStore local;
    private final HttpCacheStore shared;

    private TieredHttpCacheStore(HttpCacheStore local, HttpCacheStore shared) {
        this.local = requireNonNull(local, "local");
        this.shared = requireNonNull(shared, "shared");
    }

    /** {@code local} (which should keep entries briefly, see above) in front of {@code shared}. */
    public static TieredHttpCacheStore of(HttpCacheStore local, HttpCacheStore shared) {
        return new TieredHttpCacheStore(local, shared);
    }

    /**
     * A local tier of at most {@code localMaxBytes} that keeps each key at most {@code localTtl}, in front of
     * {@code shared}.
     */
    public static TieredHttpCacheStore of(HttpCacheStore shared, long localMaxBytes, Duration localTtl) {
        return new TieredHttpCacheStore(InMemoryHttpCacheStore.shortLived(localMaxBytes, localTtl), shared);
    }

    @Override
    public List<CachedResponse> variants(String key) {
        List<CachedResponse> found = local.variants(key);
        if (!found.isEmpty()) {
            return found;
        }
        List<CachedResponse> stored = shared.variants(key);
        for (int i = stored.size() - 1; i >= 0; i--) {
            local.put(key, stored.get(i)); // oldest first, so the local tier keeps them newest first
        }
        return stored;
    }

    @Override
    public void put(String key, CachedResponse response) {
        local.put(key, response);
        shared.put(key, response);
    }

    @Override
    public boolean remove(String key) {
        boolean fromLocal = local.remove(key);
        return shared.remove(key) || fromLocal;
    }

    @Override
    public int removeByPrefix(String prefix) {
        int fromLocal = local.removeByPrefix(prefix);
        return Math.max(fromLocal, shared.removeByPrefix(prefix));
    }

    /** The local tier. */
    public HttpCacheStore local() {
        return local;
    }

    /** The shared tier. */
    public HttpCacheStore shared() {
        return shared;
    }

    /** Closes each tier that can be closed. */
    @Override
    public void close() throws Exception {
        try {
            if (local instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } finally {
            if (shared instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    @Override
    public String toString() {
        return "TieredHttpCacheStore[" + local + ", " + shared + "]";
    }
}
