package dev.gatehouse.examples.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;

/**
 * A route's upstreams and what the gateway has learnt about them from live traffic and, when the route probes them,
 * from its probes ({@link HealthProbes}).
 *
 * <p>Requests go to the upstreams that passive health has not ejected, by weight (smooth weighted round-robin) or
 * by a pinning value (see {@link #choose}): an upstream whose last {@code
 * failures} calls all failed (no connection, reset, timeout or a 5xx answer) is ejected for {@code ejectFor}, then
 * one probe request decides whether it comes back. With a circuit breaker, the route itself stops calling its
 * upstreams for {@code openFor} once {@code failureRate} % of its last {@code window} requests failed, and a few
 * probes close it again. Both are Resilience4j circuit breakers on the gateway's clock; their state is per gateway
 * instance and starts afresh when the routes are reloaded.
 *
 * <p>Every permission a breaker hands out is a {@link Permit}, which ends exactly once — as a success, a failure or
 * a release — whatever path the request takes; {@link #permitsInFlight()} counts those not ended yet.
 */
final class Upstreams {
    /** The upstream answered with a 5xx status: a failure for health and breaker, not an exception anywhere. */
    static final class FailedStatus extends Exception {
        private static final long serialVersionUID = 1L;

        FailedStatus(int status) {
            super("status " + status, null, false, false);
        }
    }

    /** One upstream: its base URL, its passive health and, when the route probes, its active health. */
    static final class Upstream {
        final URI uri;
        final int weight;
        final String base;
        final String authority;
        /**
         * The {@code Host} field for requests to this upstream: its host, and its port unless the scheme's default;
         * never user info. Set on every upstream request, so the client library need not rebuild and re-parse the
         * request's URI to derive it (two {@link URI} parses per request).
         */
        final HttpField hostField;

        final CircuitBreaker health;
        final @Nullable ActiveHealthState active;
        final AtomicReference<Instant> ejectedAt = new AtomicReference<>(Instant.EPOCH);

        /** Smooth weighted round-robin's running score; guarded by the {@link Upstreams}' lock. */
        private long current;

        Upstream(URI uri, int weight, CircuitBreaker health, GatewayRoute.@Nullable ActiveHealth probes) {
            this.uri = uri;
            this.weight = weight;
            String text = uri.toString();
            this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
            this.authority = uri.getRawAuthority();
            this.hostField = new HttpField(HttpHeader.HOST, hostValue(uri));
            this.health = health;
            this.active = probes == null ? null : new ActiveHealthState(authority, probes);
        }

        /** RFC 9110 §7.2: {@code uri-host [ ":" port ]}, the port left out when it is the scheme's default. */
        static String hostValue(URI uri) {
            int port = uri.getPort();
            boolean defaultPort = port < 0
                    || (port == 80 && "http".equals(uri.getScheme()))
                    || (port == 443 && "https".equals(uri.getScheme()));
            return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
        }

        /** Whether passive and active health let requests go here (ejected by neither). */
        boolean up() {
            return health.getState() != CircuitBreaker.State.OPEN && activeUp();
        }

        /** Whether the probes let requests go here (always, when the route does not probe). */
        boolean activeUp() {
            return active == null || active.healthy();
        }

        @Override
        public String toString() {
            return authority;
        }
    }

    /**
     * One permission of a breaker, ended exactly once: {@link #succeeded}, {@link #failed} or {@link #release}
     * (the outcome says nothing about the upstream); later calls do nothing. An outcome that opens the breaker
     * stamps {@code openedAt}, for {@code Retry-After}.
     *
     * <p>The opening is seen here, by the breaker's state before and after the outcome, not by a state-transition
     * consumer on the breaker: with any consumer registered, Resilience4j builds an event, with a {@code
     * ZonedDateTime} of now, for every call it records.
     */
    final class Permit {
        private final @Nullable CircuitBreaker breaker;
        private final AtomicReference<Instant> openedAt;
        private final Instant started;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Permit(@Nullable CircuitBreaker breaker, AtomicReference<Instant> openedAt) {
            this.breaker = breaker;
            this.openedAt = openedAt;
            this.started = clock.instant();
            inFlight.incrementAndGet();
        }

        void succeeded() {
            if (end() && breaker != null) {
                boolean wasOpen = breaker.getState() == CircuitBreaker.State.OPEN;
                breaker.onSuccess(elapsedNanos(), TimeUnit.NANOSECONDS); // a slow call can open it
                stampOpening(breaker, wasOpen);
            }
        }

        void failed(Throwable failure) {
            if (end() && breaker != null) {
                boolean wasOpen = breaker.getState() == CircuitBreaker.State.OPEN;
                breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, failure);
                stampOpening(breaker, wasOpen);
            }
        }

        private void stampOpening(CircuitBreaker breaker, boolean wasOpen) {
            if (!wasOpen && breaker.getState() == CircuitBreaker.State.OPEN) {
                openedAt.set(clock.instant());
            }
        }

        /** {@link #succeeded} when {@code failure} is null, else {@link #failed}. */
        void ended(@Nullable Throwable failure) {
            if (failure == null) {
                succeeded();
            } else {
                failed(failure);
            }
        }

        void release() {
            if (end() && breaker != null) {
                breaker.releasePermission();
            }
        }

        private boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            inFlight.decrementAndGet();
            return true;
        }

        private long elapsedNanos() {
            return Math.max(0, Duration.between(started, clock.instant()).toNanos());
        }

        /** How long since the attempt began, on the gateway's clock. */
        Duration elapsed() {
            return Duration.ofNanos(elapsedNanos());
        }
    }

    private final List<Upstream> upstreams;
    private final @Nullable CircuitBreaker breaker;
    private final InstantSource clock;
    private final Duration ejectFor;
    private final Duration openFor;
    private final AtomicReference<Instant> openedAt = new AtomicReference<>(Instant.EPOCH);
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    Upstreams(String route, GatewayRoute config, InstantSource clock) {
        this.clock = clock;
        GatewayRoute.PassiveHealth passive = config.health();
        CircuitBreakerConfig healthConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(passive.failures())
                .minimumNumberOfCalls(passive.failures())
                .failureRateThreshold(100)
                .waitDurationInOpenState(passive.ejectFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false)
                .clock(clock.withZone(ZoneOffset.UTC))
                .build();
        List<Upstream> list = new ArrayList<>();
        for (int i = 0; i < config.upstreams().size(); i++) {
            URI uri = config.upstreams().get(i);
            list.add(new Upstream(
                    uri,
                    config.weights().get(i),
                    CircuitBreaker.of(route + " " + uri, healthConfig),
                    config.activeHealth()));
        }
        this.upstreams = List.copyOf(list);
        this.ejectFor = passive.ejectFor();
        GatewayRoute.CircuitBreakerSettings settings = config.circuitBreaker();
        if (settings == null) {
            breaker = null;
            openFor = Duration.ZERO;
        } else {
            breaker = CircuitBreaker.of(
                    route,
                    CircuitBreakerConfig.custom()
                            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                            .slidingWindowSize(settings.window())
                            .minimumNumberOfCalls(settings.window())
                            .failureRateThreshold(settings.failureRate())
                            .waitDurationInOpenState(settings.openFor())
                            .permittedNumberOfCallsInHalfOpenState(Math.min(settings.window(), 3))
                            .writableStackTraceEnabled(false)
                            .clock(clock.withZone(ZoneOffset.UTC))
                            .build());
            openFor = settings.openFor();
        }
    }

    List<Upstream> all() {
        return upstreams;
    }

    /** A permit of the route's circuit breaker (a permit that records nothing without one); null while open. */
    @Nullable
    Permit admit() {
        if (breaker == null) {
            return new Permit(null, openedAt);
        }
        return breaker.tryAcquirePermission() ? new Permit(breaker, openedAt) : null;
    }

    /** Seconds until the open breaker lets probes through (at least 1). */
    long breakerRetryAfterSeconds() {
        return secondsLeft(openedAt.get(), openFor);
    }

    /** An upstream chosen for one attempt, with its health permit. */
    record Choice(Upstream upstream, Permit permit) {}

    /**
     * The upstream for one attempt among those passive and active health let through and this request has not tried yet, or
     * null when there is none. Without a pin value: smooth weighted round-robin (nginx's), so weights 95 and 5 send
     * exactly 95 of every 100 requests to the first; an ejected upstream takes no part, and its share goes to the
     * others. With one: the upstream the value hashes to (weighted rendezvous hashing), the same while it is up.
     *
     * @param pin the request's pinning value, or null
     */
    @Nullable
    Choice choose(Set<Upstream> tried, @Nullable String pin) {
        Set<Upstream> refused = new HashSet<>(tried);
        while (refused.size() < upstreams.size()) {
            Upstream upstream = pin == null ? nextWeighted(refused) : pinned(pin, refused);
            if (upstream == null) {
                return null;
            }
            if (upstream.activeUp() && upstream.health.tryAcquirePermission()) {
                return new Choice(upstream, new Permit(upstream.health, upstream.ejectedAt));
            }
            if (pin == null) {
                undo(upstream, refused);
            }
            refused.add(upstream);
        }
        return null;
    }

    /** {@code upstream} once more, for a retry on another connection; null when its health lets nothing through. */
    @Nullable
    Choice again(Upstream upstream) {
        if (upstream.activeUp() && upstream.health.tryAcquirePermission()) {
            return new Choice(upstream, new Permit(upstream.health, upstream.ejectedAt));
        }
        return null;
    }

    /**
     * Smooth weighted round-robin over the upstreams not in {@code refused}: each adds its weight to its score, the
     * highest score wins and gives back the sum of the weights. An ejected upstream refuses its permit, {@link
     * #undo} takes its turn back, and it is left out.
     */
    private synchronized @Nullable Upstream nextWeighted(Set<Upstream> refused) {
        Upstream best = null;
        long total = 0;
        for (Upstream upstream : upstreams) {
            if (refused.contains(upstream)) {
                continue;
            }
            upstream.current += upstream.weight;
            total += upstream.weight;
            if (best == null || upstream.current > best.current) {
                best = upstream;
            }
        }
        if (best != null) {
            best.current -= total;
        }
        return best;
    }

    /** Takes back what {@link #nextWeighted} did when the chosen upstream then refused its permit. */
    private synchronized void undo(Upstream chosen, Set<Upstream> refused) {
        long total = 0;
        for (Upstream upstream : upstreams) {
            if (refused.contains(upstream)) {
                continue;
            }
            upstream.current -= upstream.weight;
            total += upstream.weight;
        }
        chosen.current += total;
    }

    /** The upstream with the highest weighted rendezvous score for {@code pin}, among those not refused. */
    private @Nullable Upstream pinned(String pin, Set<Upstream> refused) {
        Upstream best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        long key = mix(pin.hashCode());
        for (Upstream upstream : upstreams) {
            if (refused.contains(upstream)) {
                continue;
            }
            long hash = mix(key ^ mix(upstream.uri.toString().hashCode()));
            double unit = ((hash >>> 11) + 0.5) / (1L << 53); // in (0, 1)
            double score = -upstream.weight / Math.log(unit);
            if (score > bestScore) {
                best = upstream;
                bestScore = score;
            }
        }
        return best;
    }

    /** A 64-bit finalizer (SplitMix64's), spreading similar inputs far apart. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Seconds until the first ejected upstream gets its probe (at least 1). */
    long ejectionRetryAfterSeconds() {
        long soonest = Long.MAX_VALUE;
        for (Upstream upstream : upstreams) {
            soonest = Math.min(soonest, secondsLeft(upstream.ejectedAt.get(), ejectFor));
        }
        return soonest == Long.MAX_VALUE ? 1 : soonest;
    }

    private long secondsLeft(Instant since, Duration wait) {
        long left = wait.minus(Duration.between(since, clock.instant())).toNanos();
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    /** Breaker and health permits handed out and not ended yet: 0 whenever no request is in flight. */
    int permitsInFlight() {
        return inFlight.get();
    }

    /** For {@code /admin/status}: each upstream's health and the breaker's state. */
    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Upstream upstream : upstreams) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("url", upstream.uri.toString());
            entry.put("health", health(upstream.health.getState()));
            entry.put("recentCalls", upstream.health.getMetrics().getNumberOfBufferedCalls());
            entry.put("recentFailures", upstream.health.getMetrics().getNumberOfFailedCalls());
            if (upstream.active != null) {
                entry.put("active", upstream.active.status());
            }
            list.add(entry);
        }
        status.put("upstreams", list);
        if (breaker != null) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("state", breaker.getState().name().toLowerCase(Locale.ROOT));
            state.put("failureRate", breaker.getMetrics().getFailureRate());
            state.put("recentCalls", breaker.getMetrics().getNumberOfBufferedCalls());
            status.put("circuitBreaker", state);
        }
        status.put("permitsInFlight", inFlight.get());
        return status;
    }

    /** Whether the route's breaker is open (refusing calls). */
    boolean breakerOpen() {
        return breaker != null && breaker.getState() == CircuitBreaker.State.OPEN;
    }

    private static String health(CircuitBreaker.State state) {
        return switch (state) {
            case OPEN, FORCED_OPEN -> "ejected";
            case HALF_OPEN -> "probing";
            default -> "healthy";
        };
    }
}
