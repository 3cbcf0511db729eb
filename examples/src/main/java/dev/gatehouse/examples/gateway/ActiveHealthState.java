package dev.gatehouse.examples.gateway;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the probes of one upstream have found: healthy until {@code unhealthyThreshold} probes in a row fail, then
 * unhealthy (ejected) until {@code healthyThreshold} probes in a row succeed. Each change is logged with its reason.
 */
final class ActiveHealthState {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthState.class);

    private final String upstream;
    private final GatewayRoute.ActiveHealth settings;
    private boolean healthy = true;
    private int streak;
    private @Nullable Instant lastProbe;
    private @Nullable String lastError;

    ActiveHealthState(String upstream, GatewayRoute.ActiveHealth settings) {
        this.upstream = upstream;
        this.settings = settings;
    }

    /** Whether the probes let requests go to the upstream. */
    synchronized boolean healthy() {
        return healthy;
    }

    /** Records one probe's outcome at {@code at}: {@code error} null for a good answer, else why it was not. */
    synchronized void record(Instant at, @Nullable String error) {
        lastProbe = at;
        lastError = error;
        boolean good = error == null;
        // The streak counts probes that disagree with the current state; one that agrees resets it.
        streak = good == healthy ? 0 : streak + 1;
        if (healthy && streak >= settings.unhealthyThreshold()) {
            healthy = false;
            streak = 0;
            LOG.warn(
                    "upstream {} ejected: {} failed health probes of {} in a row, last: {}",
                    upstream,
                    settings.unhealthyThreshold(),
                    settings.path(),
                    error);
        } else if (!healthy && streak >= settings.healthyThreshold()) {
            healthy = true;
            streak = 0;
            LOG.info(
                    "upstream {} readmitted: {} good health probes of {} in a row",
                    upstream,
                    settings.healthyThreshold(),
                    settings.path());
        }
    }

    /** For {@code /admin/status}: {@code {"state": "healthy" | "unhealthy", "lastProbe", "lastError"}}. */
    synchronized Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", healthy ? "healthy" : "unhealthy");
        status.put("lastProbe", lastProbe == null ? null : lastProbe.toString());
        status.put("lastError", lastError);
        return status;
    }
}
