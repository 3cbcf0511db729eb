package dev.gatehouse.examples.gateway;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.jspecify.annotations.Nullable;

/**
 * The active health probes of one route set: for each upstream of a route with {@code activeHealth}, a {@code GET}
 * of its path every interval, on the gateway's upstream client, whose outcome goes to the upstream's {@link
 * ActiveHealthState}. A probe still out when the next is due is not doubled. {@link #close} cancels them all: a
 * reload closes the old set's probes as it starts the new set's, and stopping the gateway closes the last.
 */
final class HealthProbes implements AutoCloseable {
    private final HttpClient client;
    private final InstantSource clock;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile boolean closed;

    HealthProbes(HttpClient client, ScheduledExecutorService scheduler, InstantSource clock, List<LiveRoute> routes) {
        this.client = client;
        this.clock = clock;
        for (LiveRoute route : routes) {
            GatewayRoute.ActiveHealth settings = route.config().activeHealth();
            if (settings == null) {
                continue;
            }
            for (Upstreams.Upstream upstream : route.upstreams().all()) {
                AtomicBoolean inFlight = new AtomicBoolean();
                tasks.add(scheduler.scheduleWithFixedDelay(
                        () -> probe(upstream, settings, inFlight),
                        0,
                        settings.interval().toMillis(),
                        TimeUnit.MILLISECONDS));
            }
        }
    }

    private void probe(Upstreams.Upstream upstream, GatewayRoute.ActiveHealth settings, AtomicBoolean inFlight) {
        ActiveHealthState state = upstream.active;
        if (closed || state == null || !inFlight.compareAndSet(false, true)) {
            return;
        }
        try {
            client.newRequest(upstream.base + settings.path())
                    .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .headers(fields -> fields.put("User-Agent", "gatehouse-health-probe"))
                    .send(result -> {
                        inFlight.set(false);
                        if (!closed) {
                            state.record(clock.instant(), failure(result));
                        }
                    });
        } catch (RuntimeException e) {
            inFlight.set(false);
            state.record(clock.instant(), UpstreamCall.describe(e));
        }
    }

    /** Why a probe failed, or null for an answer in 200..399. */
    private static @Nullable String failure(Result result) {
        if (result.getFailure() != null) {
            return UpstreamCall.describe(result.getFailure());
        }
        int status = result.getResponse().getStatus();
        return status >= 200 && status < 400 ? null : "status " + status;
    }

    @Override
    public void close() {
        closed = true;
        tasks.forEach(task -> task.cancel(false));
    }
}
