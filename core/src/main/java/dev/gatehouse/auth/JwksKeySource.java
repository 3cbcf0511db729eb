package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An issuer's keys, fetched from its JWKS URL with the JDK {@code HttpClient} and kept fresh.
 *
 * <ul>
 *   <li>Keys are refreshed in the background every {@code refreshInterval} (5 minutes by default).
 *   <li>A token with an unknown {@code kid} triggers a refresh, at most once per {@code minRefetchInterval}
 *       (10 s by default) and single-flight: a thousand tokens with random ids cost at most one fetch, and
 *       known keys keep verifying without waiting for it.
 *   <li>Every fetch is bounded by {@code timeout} (2 s by default). When the endpoint is down, slow or serves
 *       a bad document, the keys fetched before stay in use and a warning says why.
 *   <li>The URL is the only place keys come from: {@code jku}, {@code x5u}, {@code jwk} and {@code x5c}
 *       token headers are never followed.
 * </ul>
 *
 * <p>Keys the issuer publishes that cannot verify signatures ({@code use: enc}, unsupported types, weak RSA
 * keys, RSA keys with the ROCA fingerprint) are skipped with a warning naming the key; so is every HMAC secret
 * ({@code kty: oct}): a fetched document never yields HMAC keys, since whoever can read it could sign. A document
 * with duplicate key ids is refused whole. Tokens select keys as {@link KeySource} describes.
 */
public final class JwksKeySource implements KeySource, AutoCloseable {
    private final URI uri;
    private final JwksFetch fetcher;
    private final Duration timeout;
    private final long refreshIntervalNanos;
    private final long minRefetchNanos;
    private final LongSupplier nanoClock;
    private final Logger log;
    private final AtomicLong fetches = new AtomicLong();
    private final Object lock = new Object();

    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private long lastAttemptNanos;
    private boolean attempted;
    private CompletableFuture<Snapshot> inFlight;
    private volatile ScheduledExecutorService scheduler;
    private boolean closed;

    private record Snapshot(Map<String, JwtKey> byKid, List<JwtKey> keys) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), List.of());

        static Snapshot of(List<JwtKey> keys) {
            Map<String, JwtKey> byKid = new HashMap<>();
            for (JwtKey key : keys) {
                key.kid().ifPresent(kid -> byKid.put(kid, key));
            }
            return new Snapshot(Map.copyOf(byKid), List.copyOf(keys));
        }
    }

    private JwksKeySource(Builder builder) {
        this.uri = builder.uri;
        HttpClient client = builder.client != null
                ? builder.client
                : HttpClient.newBuilder()
                        .connectTimeout(builder.timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.fetcher = new JwksFetch(uri, client, builder.timeout, builder.maxDocumentBytes, builder.log);
        this.timeout = builder.timeout;
        this.refreshIntervalNanos = builder.refreshInterval.toNanos();
        this.minRefetchNanos = builder.minRefetchInterval.toNanos();
        this.nanoClock = builder.nanoClock;
        this.log = builder.log;
    }

    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    public static JwksKeySource of(URI uri) {
        return builder(uri).build();
    }

    @Override
    public Optional<JwtKey> find(String kid) {
        startRefreshing();
        JwtKey key = snapshot.byKid().get(kid);
        if (key != null) {
            return Optional.of(key);
        }
        awaitRefreshIfAllowed();
        return Optional.ofNullable(snapshot.byKid().get(kid));
    }

    @Override
    public List<JwtKey> keys() {
        startRefreshing();
        if (snapshot.keys().isEmpty()) {
            awaitRefreshIfAllowed();
        }
        return snapshot.keys();
    }

    /** How many times the JWKS URL has been requested. */
    public long fetches() {
        return fetches.get();
    }

    public URI uri() {
        return uri;
    }

    /** Stops the background refresh. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
        }
    }

    private void startRefreshing() {
        if (scheduler != null) {
            return;
        }
        synchronized (lock) {
            if (scheduler != null || closed) {
                return;
            }
            scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "gatehouse-jwks-" + uri.getHost());
                thread.setDaemon(true);
                return thread;
            });
            scheduler.scheduleWithFixedDelay(
                    this::backgroundRefresh, refreshIntervalNanos, refreshIntervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void backgroundRefresh() {
        CompletableFuture<Snapshot> refresh;
        synchronized (lock) {
            refresh = startFetch();
        }
        await(refresh);
    }

    /** Waits (bounded) for a refresh, starting one unless one ran less than {@code minRefetchInterval} ago. */
    private void awaitRefreshIfAllowed() {
        CompletableFuture<Snapshot> refresh;
        synchronized (lock) {
            if (inFlight != null) {
                refresh = inFlight;
            } else if (!attempted || nanoClock.getAsLong() - lastAttemptNanos >= minRefetchNanos) {
                refresh = startFetch();
            } else {
                return;
            }
        }
        await(refresh);
    }

    private void await(CompletableFuture<Snapshot> refresh) {
        try {
            refresh.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // logged where the fetch completes; the keys fetched before stay in use
        }
    }

    /** Called holding {@code lock}. */
    private CompletableFuture<Snapshot> startFetch() {
        if (inFlight != null) {
            return inFlight;
        }
        attempted = true;
        lastAttemptNanos = nanoClock.getAsLong();
        fetches.incrementAndGet();
        CompletableFuture<Snapshot> fetch = fetcher.keys()
                .thenApply(Snapshot::of)
                .whenComplete((fetched, failure) -> {
                    synchronized (lock) {
                        inFlight = null;
                    }
                    if (failure != null) {
                        log.warn(
                                "JWKS {}: refresh failed, keeping {} known keys: {}",
                                uri,
                                snapshot.keys().size(),
                                failure instanceof java.util.concurrent.CompletionException
                                        ? failure.getCause()
                                        : failure);
                    } else {
                        snapshot = fetched;
                    }
                });
        inFlight = fetch;
        return fetch;
    }

    @Override
    public String toString() {
        return "JwksKeySource[" + uri + "]";
    }

    public static final class Builder {
        private final URI uri;
        private HttpClient client;
        private Duration timeout = Duration.ofSeconds(2);
        private Duration refreshInterval = Duration.ofMinutes(5);
        private Duration minRefetchInterval = Duration.ofSeconds(10);
        private int maxDocumentBytes = 256 * 1024;
        private LongSupplier nanoClock = System::nanoTime;
        private Logger log = LoggerFactory.getLogger(JwksKeySource.class);

        private Builder(URI uri) {
            requireNonNull(uri, "uri");
            checkArgument(
                    "https".equals(uri.getScheme()) || "http".equals(uri.getScheme()),
                    "uri: %s (expected: an http or https URL)",
                    uri);
            this.uri = uri;
        }

        /** The client to fetch with (redirects are not followed by the default one). */
        public Builder httpClient(HttpClient client) {
            this.client = requireNonNull(client, "client");
            return this;
        }

        /** The bound on each fetch, connect to last byte, and on how long a request waits for one. */
        public Builder timeout(Duration timeout) {
            checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout: %s (expected: positive)", timeout);
            this.timeout = timeout;
            return this;
        }

        public Builder refreshInterval(Duration refreshInterval) {
            checkArgument(
                    refreshInterval.compareTo(Duration.ofSeconds(1)) >= 0,
                    "refreshInterval: %s (expected: at least 1s)",
                    refreshInterval);
            this.refreshInterval = refreshInterval;
            return this;
        }

        /** The least time between two fetches caused by unknown key ids. */
        public Builder minRefetchInterval(Duration minRefetchInterval) {
            checkArgument(
                    !minRefetchInterval.isNegative(), "minRefetchInterval: %s (expected: >= 0)", minRefetchInterval);
            this.minRefetchInterval = minRefetchInterval;
            return this;
        }

        public Builder maxDocumentBytes(int maxDocumentBytes) {
            checkArgument(maxDocumentBytes > 0, "maxDocumentBytes: %s (expected: > 0)", maxDocumentBytes);
            this.maxDocumentBytes = maxDocumentBytes;
            return this;
        }

        /** The clock for refetch intervals, {@link System#nanoTime} unless a test injects its own. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** Where refresh failures and skipped keys are logged (WARN); this class's logger by default. */
        public Builder logger(Logger log) {
            this.log = requireNonNull(log, "log");
            return this;
        }

        public JwksKeySource build() {
            return new JwksKeySource(this);
        }
    }
}
