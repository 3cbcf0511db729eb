package dev.gatehouse.cache;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.FieldSyntax;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared HTTP cache in front of the service (RFC 9111), answering GET and HEAD from stored responses.
 *
 * <ul>
 *   <li>Stores what a shared cache may ({@link Storability}): cacheable statuses, {@code Cache-Control} ({@code
 *       s-maxage} over {@code max-age} over {@code Expires}, heuristic freshness only from {@code Last-Modified} of
 *       heuristically cacheable or {@code public} responses), never {@code no-store}, {@code private}, {@code Vary:
 *       *}, {@code Set-Cookie}, and a response to a request with {@code Authorization} only when it says {@code
 *       public}, {@code s-maxage} or {@code must-revalidate}. Bodies up to {@code maxBodyBytes} (1 MiB).
 *   <li>Keys are the target URI plus the normalized request fields named by {@code Vary}. Place the policy inside
 *       the compression policy: bodies are then stored uncompressed and every hit is encoded for its own client.
 *   <li>Hits are replays with {@code Age}; every response of the route says what the cache did in {@code
 *       Cache-Status} (RFC 9211): {@code hit; ttl=…}, or {@code fwd=uri-miss|vary-miss|stale|request|method|bypass;
 *       fwd-status=…} with {@code stored} when the response was kept, or {@code detail=} saying why not.
 *   <li>A client's own {@code If-None-Match} / {@code If-Modified-Since} is answered 304 from a fresh response;
 *       sent on for a stale one, the service's 304 refreshes the stored response (§4.3.4). A request without
 *       preconditions for a stale response goes with the stored validators (§4.3.1), and the service's 304 makes
 *       the refreshed stored response the answer ({@link ResponseHead#replaceWith}). {@code no-cache} and {@code
 *       must-revalidate} responses are never served stale.
 *   <li>{@code stale-while-revalidate} (RFC 5861): within the window every request gets the stale response at
 *       once while it is refreshed in the background through the host ({@link Builder#backgroundRefresh}); without
 *       one, the first request in the window refreshes it and waits for the service.
 *   <li>{@code stale-if-error} (RFC 5861 §4): the service's 500, 502, 503 or 504 for a stale response within that
 *       window is replaced by the stored response, {@code Cache-Status: …; detail=stale-if-error}.
 *   <li>Collapsing: concurrent misses for one URI make one request to the service; the others wait for it, at
 *       most {@code collapseTimeout} (5 s), then are served from what it stored or go to the service themselves.
 *   <li>Unsafe methods answered 2xx or 3xx drop the stored responses of their URI and of their {@code Location}
 *       and {@code Content-Location} on the same origin (§4.4).
 * </ul>
 *
 * <p>Not done: {@code Range} requests, which go to the service. A response whose body the host writes itself
 * (a servlet's {@code sendError}) cannot be replaced.
 */
public final class HttpCachePolicy implements OffloadPolicy {
    private static final AttributeKey<Forward> FORWARD = AttributeKey.of("gatehouse.cache", Forward.class);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    /** The statuses RFC 5861 §4 counts as errors a stale response may stand in for. */
    private static final Set<Integer> SERVER_ERRORS = Set.of(500, 502, 503, 504);

    private static final Logger LOG = LoggerFactory.getLogger(HttpCachePolicy.class);
    /** Fields a background refresh does not repeat: the client's preconditions, and framing of a GET's absent body. */
    private static final List<String> REFRESH_DROPS = Stream.concat(
                    Conditionals.PRECONDITIONS.stream(),
                    Stream.of("Range", "Content-Length", "Transfer-Encoding", "Expect"))
            .toList();

    /** Set when a non-blocking host waited for the leader ({@link #pending}): {@code onRequest} waits no more. */
    private static final AttributeKey<Boolean> WAITED_FOR_LEADER =
            AttributeKey.of("gatehouse.cache.waited-for-leader", Boolean.class);

    private final HttpCacheStore store;
    private final Clock clock;
    private final String cacheName;
    private final int maxBodyBytes;
    private final Duration collapseTimeout;
    private final InFlight inFlight = new InFlight();
    private final @Nullable BackgroundRefresh refresh;

    private HttpCachePolicy(Builder builder) {
        this.store = builder.store;
        this.clock = builder.clock;
        this.cacheName = builder.cacheName;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.collapseTimeout = builder.collapseTimeout;
        this.refresh = builder.refresh;
    }

    /** A cache of its defaults over {@code store}. */
    public static HttpCachePolicy of(HttpCacheStore store) {
        return builder(store).build();
    }

    public static Builder builder(HttpCacheStore store) {
        return new Builder(store);
    }

    /** What a forwarded request needs on its way back: the reason, and what to store or refresh. */
    private record Forward(
            String key,
            String reason,
            @Nullable CachedResponse stale,
            @Nullable CompletableFuture<Void> lead,
            CacheControl requestControl,
            Instant requestTime,
            boolean collapsed,
            boolean validators) {
        Forward withValidators() {
            return new Forward(key, reason, stale, lead, requestControl, requestTime, collapsed, true);
        }
    }

    /**
     * For a non-blocking host: the lead a collapsed miss would wait for in {@code onRequest} (bounded by {@code
     * collapseTimeout}), so that it waits without a thread; null when nobody leads for this request's key, or when
     * {@code onRequest} would answer at once (a fresh or still revalidatable stored response, a request that
     * bypasses the cache).
     */
    @Override
    public @Nullable CompletionStage<?> pending(Exchange exchange) {
        if (inFlight.isEmpty() || !exchange.method().equals("GET")) {
            return null;
        }
        Headers request = exchange.requestHeaders();
        CacheControl control = CacheControl.of(request);
        if (request.contains("Range") || control.has("no-cache") || control.has("no-store")) {
            return null;
        }
        String key = CacheKeys.primary(exchange);
        CompletableFuture<Void> leader = inFlight.leader(key);
        if (leader == null || leader.isDone()) {
            return null;
        }
        Instant now = clock.instant();
        CachedResponse found = select(store.variants(key), request);
        if (found != null
                && (fresh(found, control, now)
                        || found.timeToLive(now)
                                        .plus(found.staleWhileRevalidate())
                                        .compareTo(Duration.ZERO)
                                > 0)) {
            return null;
        }
        exchange.setAttribute(WAITED_FOR_LEADER, Boolean.TRUE);
        return leader.copy().completeOnTimeout(null, collapseTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        String method = exchange.method();
        String key = CacheKeys.primary(exchange);
        Headers request = exchange.requestHeaders();
        CacheControl control = CacheControl.of(request);
        Instant now = clock.instant();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return forward(exchange, new Forward(key, "method", null, null, control, now, false, false));
        }
        if (request.contains("Range")) {
            return forward(exchange, new Forward(key, "bypass", null, null, control, now, false, false));
        }
        List<CachedResponse> variants = store.variants(key);
        CachedResponse found = select(variants, request);
        boolean noCache = control.has("no-cache");
        if (found != null && !noCache) {
            if (fresh(found, control, now)) {
                // After waiting for a leader without a thread (pending), the leader's response is found here.
                return hit(
                        request,
                        found,
                        now,
                        exchange.attribute(WAITED_FOR_LEADER).isPresent());
            }
            if (found.timeToLive(now).plus(found.staleWhileRevalidate()).compareTo(Duration.ZERO) > 0) {
                CompletableFuture<Void> lead = inFlight.tryLead(key);
                if (lead == null) {
                    return hit(request, found, now, false);
                }
                if (refresh != null) {
                    refreshInBackground(exchange, key, lead);
                    return hit(request, found, now, false);
                }
                return forward(exchange, new Forward(key, "stale", found, lead, control, now, false, false));
            }
        }
        String reason = found != null ? (noCache ? "request" : "stale") : variants.isEmpty() ? "uri-miss" : "vary-miss";
        if (method.equals("HEAD") || noCache || control.has("no-store")) {
            return forward(exchange, new Forward(key, reason, found, null, control, now, false, false));
        }
        CompletableFuture<Void> lead = inFlight.tryLead(key);
        if (lead != null) {
            // A leader may have stored its response and let go between the lookup above and this lead: the
            // response it stored is served, or one key would reach the service twice.
            Instant led = clock.instant();
            CachedResponse stored = select(store.variants(key), request);
            if (stored != null && fresh(stored, control, led)) {
                inFlight.release(key, lead);
                return hit(request, stored, led, true);
            }
            return forward(exchange, new Forward(key, reason, found, lead, control, now, false, false));
        }
        if (exchange.attribute(WAITED_FOR_LEADER).isEmpty()) {
            inFlight.awaitLeader(key, collapseTimeout);
        }
        Instant after = clock.instant();
        CachedResponse collapsed = select(store.variants(key), request);
        if (collapsed != null && fresh(collapsed, control, after)) {
            return hit(request, collapsed, after, true);
        }
        return forward(exchange, new Forward(key, reason, found, null, control, now, true, false));
    }

    /**
     * Has the host send the request again, as a validation, while this one is answered from the store; the lead
     * over {@code key} is held until that request ends (at most {@code collapseTimeout}), so one refresh runs at a
     * time.
     */
    private void refreshInBackground(Exchange exchange, String key, CompletableFuture<Void> lead) {
        Headers headers = exchange.requestHeaders().copy();
        for (String name : REFRESH_DROPS) {
            headers.remove(name);
        }
        // What the policies before this one set (request ids, identities, transforms) they set again on the
        // refresh's own pass: sending their values too would make the service see them twice or stale.
        for (String name : exchange.editedRequestHeaders()) {
            headers.remove(name);
        }
        headers.set("Cache-Control", "no-cache");
        CompletableFuture<?> refreshed;
        try {
            URI target = new URI(exchange.scheme()
                    + "://"
                    + exchange.requestHeaders().first("Host").orElse("localhost")
                    + new URI(null, null, exchange.path(), null).getRawPath()
                    + exchange.query().map(query -> "?" + query).orElse(""));
            refreshed = refresh.refresh(target, headers).toCompletableFuture();
        } catch (URISyntaxException | RuntimeException e) {
            refreshed = CompletableFuture.failedFuture(e);
        }
        refreshed.orTimeout(collapseTimeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((done, failure) -> {
            inFlight.release(key, lead);
            if (failure != null) {
                LOG.info("cache: the background refresh of {} failed: {}", key, failure.toString());
            }
        });
    }

    private static @Nullable CachedResponse select(List<CachedResponse> variants, Headers request) {
        for (CachedResponse variant : variants) {
            if (variant.variant().equals(CacheKeys.variant(request, variant.varyNames()))) {
                return variant;
            }
        }
        return null;
    }

    /** Fresh, and young enough for the request's {@code max-age} and {@code min-fresh}. */
    private static boolean fresh(CachedResponse cached, CacheControl request, Instant now) {
        Duration ttl = cached.timeToLive(now);
        long maxAge = request.seconds("max-age").orElse(Long.MAX_VALUE);
        long minFresh = request.seconds("min-fresh").orElse(0);
        return ttl.compareTo(Duration.ofSeconds(minFresh)) > 0
                && cached.age(now).toSeconds() <= maxAge;
    }

    private Decision hit(Headers request, CachedResponse cached, Instant now, boolean collapsed) {
        String status = cacheName + "; hit; ttl="
                + Math.floorDiv(cached.timeToLive(now).toMillis(), 1000) + (collapsed ? "; collapsed" : "");
        StoredResponse answer = answer(request, cached, now, status);
        return Decision.replay(answer)
                .because(
                        answer.status() == 304
                                ? "cache hit, not modified"
                                : "cache hit, age " + cached.age(now).toSeconds() + " s");
    }

    /**
     * The stored response as this request gets it: with its {@code Age} (and {@code cacheStatus} when not null), or
     * a 304 for a matching conditional.
     */
    private static StoredResponse answer(
            Headers request, CachedResponse cached, Instant now, @Nullable String cacheStatus) {
        String age = Long.toString(cached.age(now).toSeconds());
        StoredResponse stored = cached.response();
        boolean notModified = Conditionals.notModified(request, stored.status(), stored.headers());
        Headers headers = notModified
                ? Conditionals.notModifiedHeaders(stored.headers())
                : stored.headers().copy();
        headers.set("Age", age);
        if (cacheStatus != null) {
            headers.add("Cache-Status", cacheStatus);
        }
        return notModified ? StoredResponse.of(304, headers, new byte[0]) : stored.withHeaders(headers);
    }

    private static Decision forward(Exchange exchange, Forward forward) {
        CachedResponse stored = forward.stale();
        Headers request = exchange.requestHeaders();
        if (stored != null && exchange.method().equals("GET") && !Conditionals.conditional(request)) {
            Headers validators = Conditionals.validators(stored.response());
            if (!validators.isEmpty()) {
                // §4.3.1: the client asked unconditionally; the cache asks with the stored response's validators,
                // and a 304 lets it answer with that response (afterForward).
                exchange.setAttribute(FORWARD, forward.withValidators());
                return Decision.proceed(validators);
            }
        }
        exchange.setAttribute(FORWARD, forward);
        return Decision.proceed();
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        Optional<Forward> found = exchange.attribute(FORWARD);
        if (found.isEmpty()) {
            return;
        }
        Forward forward = found.get();
        StringBuilder status = new StringBuilder(cacheName).append("; fwd=").append(forward.reason());
        if (exchange.attribute(PolicyChain.PROCEEDED).isPresent()) {
            status.append("; fwd-status=").append(response.status());
            status.append(afterForward(exchange, forward, response));
        }
        if (forward.collapsed()) {
            status.append("; collapsed");
        }
        response.headers().add("Cache-Status", status.toString());
    }

    /** Invalidates, refreshes or stores; returns the {@code Cache-Status} parameters saying which. */
    private String afterForward(Exchange exchange, Forward forward, ResponseHead response) {
        int status = response.status();
        if (!SAFE_METHODS.contains(exchange.method())) {
            if (status >= 200 && status < 400) {
                Invalidation.of(store, forward.key(), response.headers());
            }
            return "";
        }
        if (!exchange.method().equals("GET") || forward.reason().equals("bypass")) {
            return "";
        }
        Instant responseTime = clock.instant();
        CachedResponse stale = forward.stale();
        if (status == 304 && stale != null) {
            CachedResponse refreshed = Revalidation.refresh(
                    store,
                    forward.key(),
                    stale,
                    response.headers(),
                    forward.requestControl(),
                    forward.requestTime(),
                    responseTime);
            if (forward.validators() && response.replaceable()) {
                // The 304 answers the cache's question, not the client's: the client gets the stored response.
                response.replaceWith(
                        answer(Headers.empty(), refreshed != null ? refreshed : stale, responseTime, null));
            }
            return refreshed != null ? "; stored" : "; detail=not-refreshed";
        }
        if (SERVER_ERRORS.contains(status)
                && stale != null
                && forward.reason().equals("stale")
                && stale.servableOnError(responseTime)
                && response.replaceable()) {
            LOG.info(
                    "cache: the service answered {} for {}; serving the stored response, {} s old (stale-if-error)",
                    status,
                    forward.key(),
                    stale.age(responseTime).toSeconds());
            Headers request = forward.validators() ? Headers.empty() : exchange.requestHeaders();
            response.replaceWith(answer(request, stale, responseTime, null));
            return "; detail=stale-if-error";
        }
        Headers headers = response.headers();
        Instant date = headers.first("Date").flatMap(Freshness::httpDate).orElse(responseTime);
        // RFC 9111 §3.5 names Authorization; any credential counts the same: an API key, a client certificate, a
        // token another policy removed before the service (stripAuthorization). The principal says one passed.
        boolean authorized = exchange.requestHeaders().contains("Authorization")
                || Principal.of(exchange).isPresent();
        Storability.Verdict verdict = Storability.of(status, headers, forward.requestControl(), authorized, date);
        if (verdict instanceof Storability.Verdict.Refuse refuse) {
            return "; detail=" + refuse.detail();
        }
        if (!response.bodyTransformable()) {
            return "; detail=host-body";
        }
        if (headers.first("Content-Length").filter(length -> tooLong(length)).isPresent()) {
            return "; detail=too-large";
        }
        Storability.Storable storable = ((Storability.Verdict.Store) verdict).storable();
        Duration initialAge = Freshness.initialAge(headers, date, forward.requestTime(), responseTime);
        String variant = CacheKeys.variant(exchange.requestHeaders(), storable.varyNames());
        new Recording(store, forward.key(), forward.lead(), inFlight, maxBodyBytes)
                .start(response, storable, variant, responseTime, initialAge, !headers.contains("Date"));
        return "; stored; ttl=" + storable.lifetime().minus(initialAge).toSeconds();
    }

    private boolean tooLong(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public void onComplete(Exchange exchange, Completion completion) {
        exchange.attribute(FORWARD).ifPresent(forward -> {
            if (forward.lead() != null) {
                inFlight.release(forward.key(), forward.lead());
            }
        });
    }

    /** Removes every stored variant of {@code key}, a URI as {@code scheme://host/path?query}. */
    public boolean purge(String key) {
        return store.remove(key);
    }

    /** Removes every stored response whose key starts with {@code prefix}; returns how many keys went. */
    public int purgeByPrefix(String prefix) {
        return store.removeByPrefix(prefix);
    }

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public String toString() {
        return "HttpCachePolicy[" + cacheName + ", " + store + "]";
    }

    public static final class Builder {
        private final HttpCacheStore store;
        private Clock clock = Clock.systemUTC();
        private String cacheName = "gatehouse";
        private int maxBodyBytes = 1024 * 1024;
        private Duration collapseTimeout = Duration.ofSeconds(5);
        private @Nullable BackgroundRefresh refresh;

        private Builder(HttpCacheStore store) {
            this.store = requireNonNull(store, "store");
        }

        /** The clock freshness and ages are measured with; the system's by default. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** The cache's name in {@code Cache-Status}, a token; {@code gatehouse} by default. */
        public Builder cacheName(String cacheName) {
            FieldSyntax.checkName(cacheName);
            this.cacheName = cacheName;
            return this;
        }

        /** The largest body stored; larger responses pass without being stored. 1 MiB by default. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            checkArgument(maxBodyBytes >= 0, "maxBodyBytes: %s (expected: >= 0)", maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** How long a miss waits for a concurrent request for the same URI; 5 s by default, 0 to never wait. */
        public Builder collapseTimeout(Duration collapseTimeout) {
            checkArgument(!collapseTimeout.isNegative(), "collapseTimeout: %s (expected: >= 0)", collapseTimeout);
            this.collapseTimeout = collapseTimeout;
            return this;
        }

        /**
         * Refreshes responses within their {@code stale-while-revalidate} window in the background, through the
         * host: every client gets the stale response at once. Unset by default: the first request in the window
         * then waits for the service while the others get the stale response.
         */
        public Builder backgroundRefresh(BackgroundRefresh refresh) {
            this.refresh = requireNonNull(refresh, "refresh");
            return this;
        }

        public HttpCachePolicy build() {
            return new HttpCachePolicy(this);
        }
    }
}
