package dev.gatehouse.config;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.webhook.WebhookIds;
import java.time.Duration;
import java.util.Optional;

/**
 * Delivered webhooks remembered in an {@link IdempotencyStore} (in memory, Redis or PostgreSQL), so that every
 * gateway instance sharing the store refuses a replay. The policy's keys are digests of their own, apart from
 * idempotency keys; a store failure reaches the policy, which refuses with 503.
 */
public final class IdempotencyStoreWebhookIds implements WebhookIds {
    private static final String FINGERPRINT = "webhook";

    private final IdempotencyStore store;

    private IdempotencyStoreWebhookIds(IdempotencyStore store) {
        this.store = store;
    }

    public static IdempotencyStoreWebhookIds of(IdempotencyStore store) {
        return new IdempotencyStoreWebhookIds(requireNonNull(store, "store"));
    }

    @Override
    public Optional<String> claim(String key, Duration lease) {
        return store.claim(key, FINGERPRINT, lease) instanceof IdempotencyStore.Claim.Claimed claimed
                ? Optional.of(claimed.token())
                : Optional.empty();
    }

    @Override
    public void delivered(String key, String token, Duration remember) {
        store.complete(key, token, FINGERPRINT, Optional.empty(), remember);
    }

    @Override
    public void release(String key, String token) {
        store.release(key, token);
    }

    @Override
    public String toString() {
        return "IdempotencyStoreWebhookIds[" + store + "]";
    }
}
