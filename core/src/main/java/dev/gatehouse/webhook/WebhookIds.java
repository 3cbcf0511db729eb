package dev.gatehouse.webhook;

import java.time.Duration;
import java.util.Optional;

/**
 * Where {@link WebhookPolicy} remembers the webhooks it let through, so that a replay of a captured request is
 * refused. Keys are digests computed by the policy, never client text; every operation is atomic per key.
 * Implementations throw a {@link RuntimeException} when they cannot answer, and the policy then refuses with
 * 503. {@code IdempotencyStoreWebhookIds} in {@code gatehouse-config} keeps them in any idempotency store
 * (in memory, Redis, PostgreSQL).
 */
public interface WebhookIds {
    /**
     * Claims {@code key} for the delivery that is starting, for at most {@code lease}.
     *
     * @return a token for {@link #delivered} or {@link #release} when the key was free; empty when the webhook
     *     is being delivered or was delivered
     */
    Optional<String> claim(String key, Duration lease);

    /** The delivery holding {@code key} succeeded: the key stays taken for {@code remember}. */
    void delivered(String key, String token, Duration remember);

    /** The delivery holding {@code key} failed or never reached the service: the sender's retry may run. */
    void release(String key, String token);
}
