package dev.gatehouse.examples.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A route's upstreams and what the gateway has learnt about them from live traffic.
 *
 * <p>Requests go round-robin to the upstreams that passive health has not ejected: an upstream whose last
 * {@code failures} calls all failed (no connection, reset, timeout or a 5xx answer) is ejected for {@code
 * ejectFor}, then one probe request decides whether it comes back. With a circuit breaker, the route itself
 * stops calling its upstreams for {@code openFor} once {@code failureRate} % of its last {@code window} requests
 * failed, and a few probes close it again. Both are Resilience4j circuit breakers; their state is per gateway
 * instance and starts afresh when the routes are reloaded.
 */
final class Upstreams {
    /** The upstream answered with a 5xx status: a failure for health and breaker, not an exception anywhere. */
    static final class FailedStatus extends Exception {
        private static final long serialVersionUID = 1L;

        FailedStatus(int status) {
            super("status " + status, null, false, false);
        }
    }

    /** One upstream: its base URL and its passive health. */
    static final class Upstream {
        final URI uri;
        final String base;
        final String authority;
        final CircuitBreaker health;
        final AtomicLong ejectedAt = new AtomicLong();

        Upstream(URI uri, CircuitBreaker health) {
            this.uri = uri;
            String text = uri.toString();
            this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
            this.authority = uri.getRawAuthority();
            this.health = health;
            health.getEventPublisher().onStateTransition(event -> {
                if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                    ejectedAt.set(System.nanoTime());
                }
            });
        }

        /** Whether passive health lets requests go here (not ejected). */
        boolean up() {
            return health.getState() != CircuitBreaker.State.OPEN;
        }

        @Override
        public String toString() {
            return authority;
        }
    }

    private final List<Upstream> upstreams;
    private final @Nullable CircuitBreaker breaker;
    private final long ejectNanos;
    private final long openNanos;
    private final AtomicLong openedAt = new AtomicLong();
    private final AtomicInteger next = new AtomicInteger();

    Upstreams(String route, GatewayRoute config) {
        GatewayRoute.PassiveHealth passive = config.health();
        CircuitBreakerConfig healthConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(passive.failures())
                .minimumNumberOfCalls(passive.failures())
                .failureRateThreshold(100)
                .waitDurationInOpenState(passive.ejectFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .writableStackTraceEnabled(false)
                .build();
        List<Upstream> list = new ArrayList<>();
        for (URI uri : config.upstreams()) {
            list.add(new Upstream(uri, CircuitBreaker.of(route + " " + uri, healthConfig)));
        }
        this.upstreams = List.copyOf(list);
        this.ejectNanos = passive.ejectFor().toNanos();
        GatewayRoute.CircuitBreakerSettings settings = config.circuitBreaker();
        if (settings == null) {
            breaker = null;
            openNanos = 0;
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
                            .build());
            breaker.getEventPublisher().onStateTransition(event -> {
                if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                    openedAt.set(System.nanoTime());
                }
            });
            openNanos = settings.openFor().toNanos();
        }
    }

    List<Upstream> all() {
        return upstreams;
    }

    /** Lets one request past the route's circuit breaker; false while it is open. */
    boolean admit() {
        return breaker == null || breaker.tryAcquirePermission();
    }

    /** Seconds until the open breaker lets probes through (at least 1). */
    long breakerRetryAfterSeconds() {
        return secondsLeft(openedAt.get(), openNanos);
    }

    /** The request's outcome for the route's breaker: {@code failure} null for a success. */
    void recordRoute(long nanos, @Nullable Throwable failure) {
        if (breaker == null) {
            return;
        }
        if (failure == null) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
        }
    }

    /** The request ended for a reason that says nothing about the upstreams (the client's fault). */
    void releaseRoute() {
        if (breaker != null) {
            breaker.releasePermission();
        }
    }

    /**
     * The next upstream round-robin that passive health lets through and that this request has not tried yet;
     * null when there is none.
     */
    @Nullable
    Upstream choose(Set<Upstream> tried) {
        int size = upstreams.size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        for (int i = 0; i < size; i++) {
            Upstream upstream = upstreams.get((start + i) % size);
            if (!tried.contains(upstream) && upstream.health.tryAcquirePermission()) {
                return upstream;
            }
        }
        return null;
    }

    /** Seconds until the first ejected upstream gets its probe (at least 1). */
    long ejectionRetryAfterSeconds() {
        long soonest = Long.MAX_VALUE;
        for (Upstream upstream : upstreams) {
            soonest = Math.min(soonest, secondsLeft(upstream.ejectedAt.get(), ejectNanos));
        }
        return soonest == Long.MAX_VALUE ? 1 : soonest;
    }

    private static long secondsLeft(long since, long wait) {
        long left = wait - (System.nanoTime() - since);
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
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
            list.add(entry);
        }
        status.put("upstreams", list);
        if (breaker != null) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("state", breaker.getState().name().toLowerCase(java.util.Locale.ROOT));
            state.put("failureRate", breaker.getMetrics().getFailureRate());
            status.put("circuitBreaker", state);
        }
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
