package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.ResponseCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One storable response on its way to the client: copied as it passes and stored once its body has ended whole
 * within the limit; then the requests collapsed behind it are woken.
 */
final class Recording implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpCachePolicy.class);
    /** Fields never stored: framing, per-exchange values, and what the cache writes itself on each hit. */
    static final Set<String> NOT_STORED = notStored();

    private final HttpCacheStore store;
    private final String key;
    private final @Nullable CompletableFuture<Void> lead;
    private final InFlight inFlight;
    private final ResponseCapture capture;
    private Storability.@Nullable Storable storable;
    private String variant = "";
    private Instant storedAt = Instant.EPOCH;
    private Duration initialAge = Duration.ZERO;
    private boolean addDate;

    Recording(
            HttpCacheStore store,
            String key,
            @Nullable CompletableFuture<Void> lead,
            InFlight inFlight,
            int maxBodyBytes) {
        this.store = store;
        this.key = key;
        this.lead = lead;
        this.inFlight = inFlight;
        this.capture = new ResponseCapture(NOT_STORED, maxBodyBytes, this);
    }

    private static Set<String> notStored() {
        Set<String> names = new HashSet<>(ResponseCapture.FRAMING);
        names.addAll(List.of(
                "age", "cache-status", "x-request-id", "traceparent", "tracestate", "ratelimit", "ratelimit-policy"));
        return Set.copyOf(names);
    }

    void start(
            ResponseHead response,
            Storability.Storable storable,
            String variant,
            Instant storedAt,
            Duration initialAge,
            boolean addDate) {
        this.storable = storable;
        this.variant = variant;
        this.storedAt = storedAt;
        this.initialAge = initialAge;
        this.addDate = addDate;
        capture.capture(response, false);
    }

    /** The body has ended: store the response if it was captured whole, and wake the collapsed requests. */
    @Override
    public void run() {
        try {
            Storability.Storable terms = storable;
            if (terms != null) {
                capture.response().ifPresent(response -> store.put(key, cached(response, terms)));
            }
        } catch (RuntimeException e) {
            LOG.warn("cache: could not store the response for {}", key, e);
        } finally {
            if (lead != null) {
                inFlight.release(key, lead);
            }
        }
    }

    private CachedResponse cached(StoredResponse response, Storability.Storable terms) {
        StoredResponse kept = response;
        if (addDate) {
            Headers dated = response.headers().copy();
            dated.set("Date", Freshness.httpDate(storedAt));
            kept = response.withHeaders(dated);
        }
        return new CachedResponse(
                kept,
                terms.varyNames(),
                variant,
                storedAt,
                initialAge,
                terms.lifetime(),
                terms.staleWhileRevalidate(),
                terms.staleIfError());
    }
}
