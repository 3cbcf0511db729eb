package dev.gatehouse.config;

import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.webhook.WebhookPolicy;
import dev.gatehouse.webhook.WebhookScheme;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Inbound webhooks verified before the service: the {@code scheme} ({@code standard-webhooks} or {@code stripe}),
 * the {@code secrets} accepted (several while one is rotated), the timestamp {@code tolerance} (5m), the largest
 * body ({@code maxBodySize}, 1MiB) and whether a webhook delivered before is refused with 409 ({@code
 * replayProtection}, true: remembered in the idempotency store), with a delivery in progress holding its id
 * for at most {@code replayLease} (1m; longer than the route's timeout, or a retry during a slow delivery runs).
 * Ids are remembered per sender, that is per set of secrets, unless {@code replayNamespace} names the namespace
 * (to keep it across a rotation that changes the secrets).
 */
public record WebhookConfig(
        String scheme,
        List<String> secrets,
        @Nullable String tolerance,
        @Nullable String maxBodySize,
        @Nullable Boolean replayProtection,
        @Nullable String replayLease,
        @Nullable String replayNamespace) {
    private static final Duration LEASE = Duration.ofSeconds(60);

    public WebhookConfig {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("secrets: none (expected: at least one signing secret)");
        }
        secrets = List.copyOf(secrets);
        replayProtection = replayProtection == null || replayProtection;
        // Every value is checked as the policy will read it, so that a bad one is reported where it is.
        builder(scheme, secrets, tolerance, maxBodySize);
        lease(replayLease);
        if (replayNamespace != null && replayNamespace.isBlank()) {
            throw new IllegalArgumentException("replayNamespace: empty (expected: a name, or none for the secrets')");
        }
    }

    @Override
    public Boolean replayProtection() {
        return replayProtection == null || replayProtection;
    }

    /** The policy this section describes, remembering delivered webhooks in {@code records} when asked to. */
    public WebhookPolicy policy(IdempotencyStore records) {
        WebhookPolicy.Builder builder = builder(scheme, secrets, tolerance, maxBodySize);
        if (replayProtection()) {
            builder.replayProtection(IdempotencyStoreWebhookIds.of(records), lease(replayLease));
            if (replayNamespace != null) {
                builder.replayNamespace(replayNamespace);
            }
        }
        return builder.build();
    }

    private static WebhookPolicy.Builder builder(
            @Nullable String scheme, List<String> secrets, @Nullable String tolerance, @Nullable String maxBodySize) {
        WebhookPolicy.Builder builder = WebhookPolicy.builder(scheme(scheme));
        secrets.forEach(builder::secret);
        if (tolerance != null) {
            builder.tolerance(ConfigValues.duration(tolerance));
        }
        if (maxBodySize != null) {
            long bytes = ConfigValues.size(maxBodySize);
            if (bytes < 1 || bytes > 64 * 1024 * 1024) {
                throw new IllegalArgumentException("maxBodySize " + maxBodySize + " (expected: 1..64MiB)");
            }
            builder.maxBodyBytes((int) bytes);
        }
        return builder;
    }

    private static Duration lease(@Nullable String replayLease) {
        Duration lease = replayLease == null ? LEASE : ConfigValues.duration(replayLease);
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("replayLease " + replayLease + " (expected: 1s..1h)");
        }
        return lease;
    }

    private static WebhookScheme scheme(@Nullable String scheme) {
        if ("standard-webhooks".equals(scheme)) {
            return WebhookScheme.STANDARD_WEBHOOKS;
        }
        if ("stripe".equals(scheme)) {
            return WebhookScheme.STRIPE;
        }
        throw new IllegalArgumentException("scheme " + scheme + " (expected: standard-webhooks or stripe)");
    }

    /** The secrets are not shown. */
    @Override
    public String toString() {
        return "WebhookConfig[" + scheme + ", " + secrets.size() + " secret(s)]";
    }
}
