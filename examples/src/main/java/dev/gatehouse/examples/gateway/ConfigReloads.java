package dev.gatehouse.examples.gateway;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The configuration file a gateway runs and what became of its reloads, for the admin console: when it was
 * loaded, when a changed file was last applied, and the last change that could not be (with why).
 */
final class ConfigReloads {
    private final Path file;
    private final InstantSource clock;
    private final Instant loadedAt;
    private volatile @Nullable Instant lastReload;
    private volatile @Nullable Instant lastErrorAt;
    private volatile @Nullable String lastError;

    ConfigReloads(Path file, InstantSource clock) {
        this.file = file;
        this.clock = clock;
        this.loadedAt = clock.instant();
    }

    void reloaded() {
        lastReload = clock.instant();
    }

    void failed(String why) {
        lastErrorAt = clock.instant();
        lastError = why;
    }

    /** {@code {"file", "loadedAt", "lastReload", "lastReloadError", "lastReloadErrorAt"}}; absent times are null. */
    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("file", file.toString());
        status.put("loadedAt", loadedAt.toString());
        status.put("lastReload", text(lastReload));
        status.put("lastReloadError", lastError);
        status.put("lastReloadErrorAt", text(lastErrorAt));
        return status;
    }

    private static @Nullable String text(@Nullable Instant at) {
        return at == null ? null : at.toString();
    }
}
