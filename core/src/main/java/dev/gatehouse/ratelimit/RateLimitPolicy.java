package dev.gatehouse.ratelimit;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.internal.Printable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits requests per key with token buckets, before they reach the service.
 *
 * <ul>
 *   <li>Several windows at once ({@link Limit}: per second, minute, hour), per plan (the principal's {@link
 *       Principal#plan()}), each request costing {@code cost} tokens taken all-or-nothing.
 *   <li>A refused request gets 429, {@code Retry-After} (whole seconds, never earlier than the real wait) and a
 *       problem+json body of type {@code quota-exceeded} naming the {@code violated-policies}.
 *   <li>Every response of a limited route — the service's, and refusals by later policies — carries {@code
 *       RateLimit-Policy} and {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers-10): one list item per
 *       window, e.g. {@code "minute";q=100;w=60} and {@code "minute";r=42;t=17}, where {@code r} is what is left
 *       and {@code t} the seconds until the window is full again (on a 429, until the request would pass).
 *       Optionally the legacy {@code X-RateLimit-Limit/-Remaining/-Reset} instead.
 *   <li>A request without a key (e.g. anonymous where the key is the principal) shares one {@code anonymous}
 *       bucket, or is refused with 403 when {@link Builder#denyMissingKey()} is set.
 *   <li>When the store fails (Redis down or slow): fail open (admit, the industry default), fail closed (503,
 *       {@code temporary-reduced-capacity}), or fall back to a local bucket. A breaker stops calling the
 *       store for {@code breakerWindow} after a failure, so a dead store costs one timeout per window, not one
 *       per request; the first call after the window probes it, and the policy recovers without restart.
 *   <li>Shadow mode counts and logs what would be refused, and lets it through.
 * </ul>
 *
 * <p>Place it before expensive policies (a flood of invalid tokens is then limited before it is verified) and
 * after authentication when the key is the principal.
 */
public final class RateLimitPolicy implements OffloadPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitPolicy.class);
    private static final AttributeKey<Outcome> OUTCOME = AttributeKey.of("gatehouse.rateLimit", Outcome.class);
    static final String QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded";
    static final String REDUCED_CAPACITY = "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity";

    /** What to do when the bucket store cannot answer. */
    public enum StoreFailureMode {
        /** Admit the request (Envoy, Kong and Spring Cloud Gateway do this by default). */
        OPEN,
        /** Refuse with 503. */
        CLOSED,
        /** Count in a bucket local to this instance until the store is back. */
        LOCAL_FALLBACK
    }

    private final List<Limit> defaultLimits;
    private final Map<String, List<Limit>> planLimits;
    private final RateLimitKey key;
    private final boolean denyMissingKey;
    private final ToLongFunction<Exchange> cost;
    private final BucketStore store;
    private final StoreFailureMode failureMode;
    private final LocalBucketStore fallback;
    private final long breakerNanos;
    private final LongSupplier nanoClock;
    private final boolean legacyHeaders;
    private final boolean shadow;
    private final AtomicLong breakerOpenUntil = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong storeFailures = new AtomicLong();
    private final AtomicLong failedOpen = new AtomicLong();
    private volatile boolean storeDown;

    /** The limits that applied and what was left, for the response headers. */
    private record Outcome(List<Limit> limits, long[] remaining, long[] resetSeconds) {}

    private RateLimitPolicy(Builder builder) {
        this.defaultLimits = List.copyOf(builder.defaultLimits);
        this.planLimits = Map.copyOf(builder.planLimits);
        this.key = builder.key;
        this.denyMissingKey = builder.denyMissingKey;
        this.cost = builder.cost;
        this.store = builder.store;
        this.failureMode = builder.failureMode;
        this.fallback = builder.failureMode == StoreFailureMode.LOCAL_FALLBACK ? LocalBucketStore.ofDefaults() : null;
        this.breakerNanos = builder.breakerWindow.toNanos();
        this.nanoClock = builder.nanoClock;
        this.legacyHeaders = builder.legacyHeaders;
        this.shadow = builder.shadow;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        Optional<String> plan = Principal.of(exchange).flatMap(Principal::plan);
        List<Limit> limits = plan.map(planLimits::get).orElse(defaultLimits);
        Optional<String> clientKey = key.of(exchange);
        if (clientKey.isEmpty() && denyMissingKey) {
            return Decision.reject(403, "The request has no rate-limit key.").because("no rate-limit key");
        }
        String bucketKey = (plan.isPresent() && planLimits.containsKey(plan.get()) ? plan.get() : "default") + "/"
                + clientKey.orElse("anonymous");
        long units = cost.applyAsLong(exchange);
        if (units <= 0) {
            return Decision.proceed();
        }

        Consumption consumption;
        try {
            consumption = consume(bucketKey, limits, units);
        } catch (StoreUnavailableException e) {
            return storeFailed(exchange, bucketKey, limits, units, e);
        }
        return decide(exchange, bucketKey, limits, units, consumption, "");
    }

    private Consumption consume(String bucketKey, List<Limit> limits, long units) {
        long now = nanoClock.getAsLong();
        long openUntil = breakerOpenUntil.get();
        if (openUntil != Long.MIN_VALUE && now - openUntil < 0) {
            throw new StoreUnavailableException("store breaker open", null);
        }
        // One caller probes a store that failed; the others keep the breaker's answer until it is back.
        if (openUntil != Long.MIN_VALUE && !breakerOpenUntil.compareAndSet(openUntil, now + breakerNanos)) {
            throw new StoreUnavailableException("store breaker open", null);
        }
        try {
            Consumption consumption = store.tryConsume(bucketKey, limits, units);
            if (openUntil != Long.MIN_VALUE || storeDown) {
                breakerOpenUntil.set(Long.MIN_VALUE);
                storeDown = false;
                LOG.warn("rate-limit store is back; limiting with it again");
            }
            return consumption;
        } catch (StoreUnavailableException e) {
            storeFailures.incrementAndGet();
            breakerOpenUntil.set(now + breakerNanos);
            if (!storeDown) {
                storeDown = true;
                LOG.warn(
                        "rate-limit store failed ({}); {} for {} ms before probing it again",
                        e.getMessage(),
                        failureMode,
                        breakerNanos / 1_000_000);
            }
            throw e;
        }
    }

    private Decision storeFailed(
            Exchange exchange, String bucketKey, List<Limit> limits, long units, StoreUnavailableException e) {
        String reason = "store unavailable (" + e.getMessage() + ")";
        return switch (failureMode) {
            case OPEN -> {
                failedOpen.incrementAndGet();
                yield Decision.proceed().because(reason + ": failed open");
            }
            case CLOSED ->
                Decision.reject(
                                Problem.of(503, "Rate limiting is temporarily unavailable.")
                                        .withType(REDUCED_CAPACITY, "Temporary reduced capacity"),
                                Headers.of("Retry-After", Long.toString(Math.max(1, breakerNanos / 1_000_000_000L))))
                        .because(reason + ": failed closed");
            case LOCAL_FALLBACK ->
                decide(
                        exchange,
                        bucketKey,
                        limits,
                        units,
                        fallback.tryConsume(bucketKey, limits, units),
                        " (local fallback: " + reason + ")");
        };
    }

    private Decision decide(
            Exchange exchange, String bucketKey, List<Limit> limits, long units, Consumption consumption, String note) {
        long[] remaining = consumption.remaining();
        long waitSeconds = consumption.consumed() ? 0 : ceilSeconds(consumption.nanosToWait());
        List<String> violated = consumption.consumed() ? List.of() : new ArrayList<>();
        long[] reset = new long[limits.size()];
        long[] shown = new long[limits.size()];
        for (int i = 0; i < limits.size(); i++) {
            Limit limit = limits.get(i);
            long left = i < remaining.length ? Math.max(0, Math.min(remaining[i], limit.quota())) : 0;
            boolean tooFew = !consumption.consumed() && left < units;
            if (tooFew) {
                violated.add(limit.name());
            }
            shown[i] = tooFew ? 0 : left;
            // Greedy refill: the window is full again after (quota - left) / quota of it.
            long toFull = ceilDiv((limit.quota() - left) * limit.windowSeconds(), limit.quota());
            reset[i] = tooFew ? Math.min(Math.max(waitSeconds, 1), limit.windowSeconds()) : toFull;
        }
        Outcome outcome = new Outcome(limits, shown, reset);
        exchange.setAttribute(OUTCOME, outcome);
        if (consumption.consumed()) {
            return note.isEmpty()
                    ? Decision.proceed()
                    : Decision.proceed().because("admitted " + Printable.of(bucketKey, 80) + note);
        }
        String subject = Printable.of(bucketKey, 80);
        String windows = describe(limits, violated, remaining, reset);
        if (shadow) {
            LOG.info("rate limit (shadow): would refuse {} {}", subject, windows);
            return Decision.proceed().because("shadow: would refuse key=" + subject + " " + windows + note);
        }
        long retryAfter = Math.max(1, waitSeconds);
        Problem problem = Problem.of(429, "Too many requests; retry in " + retryAfter + " s.")
                .withType(QUOTA_EXCEEDED, "Request cannot be satisfied as assigned quota has been exceeded")
                .with("violated-policies", violated);
        // A refusing policy gets no response hook, so its refusal carries the fields itself.
        Headers headers = fields(outcome).copy().add("Retry-After", Long.toString(retryAfter));
        return Decision.reject(problem, headers)
                .because("key=" + subject + " " + windows + " retry in " + retryAfter + "s" + note);
    }

    private static String describe(List<Limit> limits, List<String> violated, long[] remaining, long[] reset) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < limits.size(); i++) {
            Limit limit = limits.get(i);
            if (violated.contains(limit.name())) {
                text.append(text.length() == 0 ? "" : " ")
                        .append("window=")
                        .append(limit.name())
                        .append(' ')
                        .append(i < remaining.length ? remaining[i] : 0)
                        .append('/')
                        .append(limit.quota())
                        .append(" refill in ")
                        .append(reset[i])
                        .append('s');
            }
        }
        return text.toString();
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        exchange.attribute(OUTCOME).ifPresent(outcome -> {
            Headers fields = fields(outcome);
            for (int i = 0; i < fields.size(); i++) {
                response.setHeader(fields.name(i), fields.value(i));
            }
        });
    }

    /** The draft-10 fields (or the legacy ones) describing {@code outcome}. */
    private Headers fields(Outcome o) {
        if (legacyHeaders) {
            int tightest = 0;
            for (int i = 1; i < o.limits().size(); i++) {
                if (o.remaining()[i] < o.remaining()[tightest]) {
                    tightest = i;
                }
            }
            return Headers.of(
                    "X-RateLimit-Limit", Long.toString(o.limits().get(tightest).quota()),
                    "X-RateLimit-Remaining", Long.toString(o.remaining()[tightest]),
                    "X-RateLimit-Reset", Long.toString(o.resetSeconds()[tightest]));
        }
        StringBuilder policy = new StringBuilder();
        StringBuilder state = new StringBuilder();
        for (int i = 0; i < o.limits().size(); i++) {
            Limit limit = o.limits().get(i);
            String separator = i == 0 ? "" : ", ";
            policy.append(separator)
                    .append('"')
                    .append(limit.name())
                    .append("\";q=")
                    .append(limit.quota())
                    .append(";w=")
                    .append(limit.windowSeconds());
            state.append(separator)
                    .append('"')
                    .append(limit.name())
                    .append("\";r=")
                    .append(o.remaining()[i])
                    .append(";t=")
                    .append(o.resetSeconds()[i]);
        }
        return Headers.of("RateLimit-Policy", policy.toString(), "RateLimit", state.toString());
    }

    /** How many times the store failed (each failure opens the breaker). */
    public long storeFailures() {
        return storeFailures.get();
    }

    /** How many requests were admitted unlimited because the store was down (fail-open mode). */
    public long failedOpen() {
        return failedOpen.get();
    }

    /** Whether the store is considered down now. */
    public boolean storeDown() {
        return storeDown;
    }

    @Override
    public String name() {
        return "ratelimit";
    }

    private static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public String toString() {
        return "RateLimitPolicy[" + defaultLimits + ", plans=" + planLimits.keySet() + ", " + failureMode + "]";
    }

    public static final class Builder {
        private List<Limit> defaultLimits = List.of();
        private final Map<String, List<Limit>> planLimits = new LinkedHashMap<>();
        private RateLimitKey key = RateLimitKey.clientAddress(ClientAddress.direct());
        private boolean denyMissingKey;
        private ToLongFunction<Exchange> cost = exchange -> 1;
        private BucketStore store;
        private StoreFailureMode failureMode = StoreFailureMode.OPEN;
        private Duration breakerWindow = Duration.ofSeconds(5);
        private LongSupplier nanoClock = System::nanoTime;
        private boolean legacyHeaders;
        private boolean shadow;

        private Builder() {}

        /** The limits for everyone without a plan of their own; at least one window. */
        public Builder limits(Limit... limits) {
            this.defaultLimits = checked(limits);
            return this;
        }

        /** The limits for principals on {@code plan} (free 100/min, premium 1000/min style). */
        public Builder plan(String plan, Limit... limits) {
            checkArgument(Printable.isVisibleAscii(plan, 64), "plan: %s (expected: 1..64 visible ASCII)", plan);
            planLimits.put(plan, checked(limits));
            return this;
        }

        private static List<Limit> checked(Limit... limits) {
            checkArgument(limits.length > 0, "limits: none (expected: at least one window)");
            List<String> names = new ArrayList<>();
            for (Limit limit : limits) {
                checkArgument(!names.contains(limit.name()), "limit: %s twice (expected: unique names)", limit.name());
                names.add(limit.name());
            }
            return List.of(limits);
        }

        /** What to count by; the client address ({@link ClientAddress#direct()}) by default. */
        public Builder key(RateLimitKey key) {
            this.key = requireNonNull(key, "key");
            return this;
        }

        /** Refuses requests without a key with 403, instead of counting them in one shared bucket. */
        public Builder denyMissingKey() {
            this.denyMissingKey = true;
            return this;
        }

        /** Tokens a request costs (1 by default); 0 lets it through uncounted. */
        public Builder cost(ToLongFunction<Exchange> cost) {
            this.cost = requireNonNull(cost, "cost");
            return this;
        }

        /** Where buckets live; a fresh {@link LocalBucketStore} by default. */
        public Builder store(BucketStore store) {
            this.store = requireNonNull(store, "store");
            return this;
        }

        public Builder onStoreFailure(StoreFailureMode mode) {
            this.failureMode = requireNonNull(mode, "mode");
            return this;
        }

        /** How long the store is left alone after it failed; 5 s by default. */
        public Builder breakerWindow(Duration window) {
            checkArgument(!window.isNegative() && !window.isZero(), "breakerWindow: %s (expected: > 0)", window);
            this.breakerWindow = window;
            return this;
        }

        /** The clock for the breaker, {@code System.nanoTime} unless a test injects its own. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** {@code X-RateLimit-Limit/-Remaining/-Reset} (tightest window) instead of the draft's fields. */
        public Builder legacyHeaders() {
            this.legacyHeaders = true;
            return this;
        }

        /** Count and log, never refuse. */
        public Builder shadow() {
            this.shadow = true;
            return this;
        }

        public RateLimitPolicy build() {
            checkArgument(!defaultLimits.isEmpty(), "limits: none (expected: limits(...) for requests without a plan)");
            if (store == null) {
                store = LocalBucketStore.ofDefaults();
            }
            return new RateLimitPolicy(this);
        }
    }
}
