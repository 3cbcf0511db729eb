/** Inbound webhook signature verification: Standard Webhooks and Stripe-Signature, with replay protection. */
@NullMarked
package dev.gatehouse.webhook;

import org.jspecify.annotations.NullMarked;
