package dev.gatehouse.ratelimit;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoreHealth;
import dev.gatehouse.internal.Printable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *   <li>When the store fails (Redis down or slow), its {@link ResilientBucketStore} answers: admitted (the
 *       default), refused here with 503 {@code temporary-reduced-capacity}, or counted locally; see {@link
 *       #storeHealth()}.
 *   <li>Shadow mode counts and logs what would be refused, and lets it through.
 * </ul>
 *
 * <p>Place it before expensive policies (a flood of invalid tokens is then limited before it is verified) and
 * after authentication when the key is the principal.
 */
public final class RateLimitPolicy implements OffloadPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitPolicy.class);
    private static final AttributeKey<WindowState> STATE = AttributeKey.of("gatehouse.rateLimit", WindowState.class);
    static final String QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded";
    static final String REDUCED_CAPACITY = "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity";

    private final List<Limit> defaultLimits;
    private final Map<String, List<Limit>> planLimits;
    /** {@code RateLimit-Policy} of the default limits and of each plan's, by the very list: the same every time. */
    private final Map<List<Limit>, String> policies = new IdentityHashMap<>();
    /** The bucket-key prefix of the default limits and of each plan's, by the very list (see {@link #prefix}). */
    private final Map<List<Limit>, String> prefixes = new IdentityHashMap<>();

    private final RateLimitKey key;
    private final boolean denyMissingKey;
    private final ToLongFunction<Exchange> cost;
    private final ResilientBucketStore store;
    private final RateLimitFields format;
    private final boolean shadow;

    private RateLimitPolicy(Builder builder) {
        this.defaultLimits = List.copyOf(builder.defaultLimits);
        this.planLimits = Map.copyOf(builder.planLimits);
        policies.put(defaultLimits, RateLimitFields.policy(defaultLimits));
        planLimits.values().forEach(limits -> policies.put(limits, RateLimitFields.policy(limits)));
        prefixes.put(defaultLimits, prefix(builder.scope, "default", defaultLimits));
        planLimits.forEach((plan, limits) -> prefixes.put(limits, prefix(builder.scope, plan, limits)));
        this.key = builder.key;
        this.denyMissingKey = builder.denyMissingKey;
        this.cost = builder.cost;
        this.store = builder.store;
        this.format = builder.format;
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
        String client = clientKey.orElse("anonymous");
        String bucketKey = prefixes.get(limits) + client;
        long units = cost.applyAsLong(exchange);
        if (units <= 0) {
            return Decision.proceed();
        }
        ResilientBucketStore.Answer answer = store.guardedConsume(bucketKey, limits, units);
        if (answer instanceof ResilientBucketStore.Answer.Counted counted) {
            return decide(exchange, client, limits, units, counted.consumption(), "");
        }
        if (answer instanceof ResilientBucketStore.Answer.CountedLocally local) {
            String note = " (local fallback: store unavailable (" + local.cause() + "))";
            return decide(exchange, client, limits, units, local.consumption(), note);
        }
        if (answer instanceof ResilientBucketStore.Answer.Refused refused) {
            return Decision.reject(
                            Problem.of(503, "Rate limiting is temporarily unavailable.")
                                    .withType(REDUCED_CAPACITY, "Temporary reduced capacity"),
                            Headers.of("Retry-After", Long.toString(refused.retryAfterSeconds())))
                    .because("store unavailable (" + refused.cause() + "): failed closed");
        }
        String cause = ((ResilientBucketStore.Answer.AdmittedWithoutStore) answer).cause();
        return Decision.proceed().because("store unavailable (" + cause + "): failed open");
    }

    /** The bucket as logs name it: the plan (or {@code default}) and the client key, {@code default/ip:192.0.2.1}. */
    private String subject(List<Limit> limits, String client) {
        String plan = limits == defaultLimits
                ? "default"
                : planLimits.entrySet().stream()
                        .filter(entry -> entry.getValue() == limits)
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElse("default");
        return Printable.of(plan + "/" + client, 80);
    }

    /**
     * The start of every bucket key of one list of limits: a digest of the policy's scope, the plan and the limits
     * themselves, so that policies sharing a store (every route of a gateway) never count in each other's buckets,
     * and a bucket is never read with limits other than those it was made with (after a reload that changed them).
     * A stable digest (FNV-1a, not {@code hashCode}), so that every instance on a shared store, on any JDK, agrees.
     */
    static String prefix(String scope, String plan, List<Limit> limits) {
        StringBuilder text = new StringBuilder(scope).append('\n').append(plan);
        for (Limit limit : limits) {
            text.append('\n')
                    .append(limit.name())
                    .append(' ')
                    .append(limit.quota())
                    .append(' ')
                    .append(limit.window().getSeconds());
        }
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return Long.toHexString(hash) + "/";
    }

    private Decision decide(
            Exchange exchange, String client, List<Limit> limits, long units, Consumption consumption, String note) {
        WindowState state = WindowState.of(limits, policies.get(limits), consumption, units);
        exchange.setAttribute(STATE, state);
        if (consumption.consumed()) {
            return note.isEmpty()
                    ? Decision.proceed()
                    : Decision.proceed().because("admitted " + subject(limits, client) + note);
        }
        String subject = subject(limits, client);
        if (shadow) {
            LOG.info("rate limit (shadow): would refuse {} {}", subject, state.violations());
            return Decision.proceed().because("shadow: would refuse key=" + subject + " " + state.violations() + note);
        }
        long retryAfter = Math.max(1, WindowState.ceilSeconds(consumption.nanosToWait()));
        Problem problem = Problem.of(429, "Too many requests; retry in " + retryAfter + " s.")
                .withType(QUOTA_EXCEEDED, "Request cannot be satisfied as assigned quota has been exceeded")
                .with("violated-policies", state.violated());
        // A refusing policy gets no response hook, so its refusal carries the fields itself.
        Headers headers = state.fields(format).add("Retry-After", Long.toString(retryAfter));
        return Decision.reject(problem, headers)
                .because("key=" + subject + " " + state.violations() + " retry in " + retryAfter + "s" + note);
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        exchange.attribute(STATE).ifPresent(state -> state.setOn(response.headers(), format));
    }

    /** The health of this policy's store: for metrics ({@code MicrometerChainListener}) and health pages. */
    public StoreHealth storeHealth() {
        return store;
    }

    /** Spends tokens: a CORS preflight or a denied address is answered before it, for free. */
    @Override
    public Placement placement() {
        return Placement.GUARD;
    }

    @Override
    public String name() {
        return "ratelimit";
    }

    @Override
    public String toString() {
        return "RateLimitPolicy[" + defaultLimits + ", plans=" + planLimits.keySet() + ", " + store.mode() + "]";
    }

    public static final class Builder {
        private List<Limit> defaultLimits = List.of();
        private final Map<String, List<Limit>> planLimits = new LinkedHashMap<>();
        private RateLimitKey key = RateLimitKey.clientAddress(ClientAddress.direct());
        private boolean denyMissingKey;
        private ToLongFunction<Exchange> cost = exchange -> 1;
        private ResilientBucketStore store;
        private RateLimitFields format = RateLimitFields.DRAFT_10;
        private boolean shadow;
        private String scope = "";

        private Builder() {}

        /**
         * What tells this policy's buckets from other policies' in a shared store: a route's pattern, say. Policies
         * with other limits never share buckets whatever their scope; policies with the same limits and scope do
         * (the same route on every instance of a gateway). Empty by default.
         */
        public Builder scope(String scope) {
            this.scope = requireNonNull(scope, "scope");
            return this;
        }

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

        /**
         * Where buckets live; a fresh {@link LocalBucketStore} by default. A store that is not a {@link
         * ResilientBucketStore} is wrapped in one with its defaults (fail open, 5 s breaker window).
         */
        public Builder store(BucketStore store) {
            requireNonNull(store, "store");
            this.store = store instanceof ResilientBucketStore resilient ? resilient : ResilientBucketStore.of(store);
            return this;
        }

        /** {@code X-RateLimit-Limit/-Remaining/-Reset} (tightest window) instead of the draft's fields. */
        public Builder legacyHeaders() {
            this.format = RateLimitFields.LEGACY;
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
                store = ResilientBucketStore.of(LocalBucketStore.ofDefaults());
            }
            return new RateLimitPolicy(this);
        }
    }
}
