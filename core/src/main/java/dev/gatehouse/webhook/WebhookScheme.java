package dev.gatehouse.webhook;

/** How a sender signs its webhooks. */
public enum WebhookScheme {
    /**
     * Standard Webhooks (standardwebhooks.com): {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and
     * {@code webhook-signature}, a space-separated list of {@code v1,<base64 HMAC-SHA256>} of {@code
     * id.timestamp.body}; secrets are {@code whsec_<base64 key>}. Replays are recognised by {@code webhook-id},
     * which a sender keeps when it resends a message.
     */
    STANDARD_WEBHOOKS,
    /**
     * Stripe ({@code Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256>}, several {@code v1} allowed) of {@code
     * t.body}, keyed by the text of the endpoint secret ({@code whsec_…}). Stripe sends no message id in a
     * header: replays are recognised by the signature, which a resend with a new {@code t} changes.
     */
    STRIPE
}
