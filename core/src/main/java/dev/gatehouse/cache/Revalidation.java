package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A 304 from the service for a stale stored response (RFC 9111 §4.3.4): when its {@code ETag}, if any, is the
 * stored one, its fields replace the stored response's fields of the same names and the response is fresh again
 * from now, for the lifetime the updated fields give it.
 */
final class Revalidation {
    private Revalidation() {}

    /** The refreshed response, stored; null when the 304 does not refresh it (and a response no longer storable is dropped). */
    static @Nullable CachedResponse refresh(
            HttpCacheStore store,
            String key,
            CachedResponse stale,
            Headers notModified,
            CacheControl requestControl,
            Instant requestTime,
            Instant responseTime) {
        Headers stored = stale.response().headers();
        Optional<String> etag = notModified.first("ETag");
        if (etag.isPresent() && !etag.equals(stored.first("ETag"))) {
            return null;
        }
        Headers updated = stored.copy();
        for (String name : notModified.names()) {
            if (!Recording.NOT_STORED.contains(name.toLowerCase(Locale.ROOT))) {
                updated.set(name, notModified.all(name));
            }
        }
        if (!notModified.contains("Date")) {
            updated.set("Date", Freshness.httpDate(responseTime));
        }
        Instant date = updated.first("Date").flatMap(Freshness::httpDate).orElse(responseTime);
        if (!(Storability.of(stale.response().status(), updated, requestControl, false, date)
                instanceof Storability.Verdict.Store verdict)) {
            store.remove(key);
            return null;
        }
        Duration initialAge = Freshness.initialAge(updated, date, requestTime, responseTime);
        Storability.Storable terms = verdict.storable();
        CachedResponse refreshed = new CachedResponse(
                stale.response().withHeaders(updated),
                terms.varyNames(),
                stale.variant(),
                responseTime,
                initialAge,
                terms.lifetime(),
                terms.staleWhileRevalidate(),
                terms.staleIfError());
        store.put(key, refreshed);
        return refreshed;
    }
}
