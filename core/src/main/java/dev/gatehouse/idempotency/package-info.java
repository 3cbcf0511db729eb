/**
 * Idempotency-Key offload (draft-ietf-httpapi-idempotency-key-header): {@link
 * dev.gatehouse.idempotency.IdempotencyPolicy} executes a retried POST once and replays its response, with
 * claims and records kept in an {@link dev.gatehouse.idempotency.IdempotencyStore} (in memory, or Redis) behind a
 * {@link dev.gatehouse.idempotency.ResilientIdempotencyStore} that owns store failures.
 */
@NullMarked
package dev.gatehouse.idempotency;

import org.jspecify.annotations.NullMarked;
