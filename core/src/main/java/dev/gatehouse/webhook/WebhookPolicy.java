package dev.gatehouse.webhook;

import static dev.gatehouse.internal.Checks.checkArgument;
import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Problem;
import dev.gatehouse.RequestBody;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Printable;
import dev.gatehouse.internal.Throwables;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies inbound webhooks before they reach the service: the signature over the raw body (Standard Webhooks or
 * {@code Stripe-Signature}, see {@link WebhookScheme}) with any of several secrets, so that a secret can be
 * rotated; the timestamp within {@code tolerance} of now (5 minutes by default), either way; and, with {@link
 * WebhookIds}, that the webhook was not delivered before.
 *
 * <ul>
 *   <li>The chain buffers the body for the check, at most {@code maxBodyBytes} (1 MiB by default; more → 413);
 *       the service receives exactly the bytes that were verified. Signatures are compared in constant time.
 *   <li>Missing signature headers, no {@code v1} signature, a signature that matches no secret, or a timestamp
 *       outside the tolerance → 401; repeated or unreadable headers → 400.
 *   <li>A webhook already delivered, or being delivered → 409, and the service never sees it twice. A delivery
 *       that the service answers with other than 2xx is forgotten, so that the sender's retry runs; a delivered
 *       one is remembered for twice the tolerance, after which its timestamp is refused anyway.
 *   <li>When {@link WebhookIds} cannot answer → 503 with {@code Retry-After}; never a pass.
 * </ul>
 *
 * <pre>{@code
 * WebhookPolicy.builder(WebhookScheme.STANDARD_WEBHOOKS)
 *         .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
 *         .replayProtection(ids)
 *         .build();
 * }</pre>
 */
public final class WebhookPolicy implements OffloadPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookPolicy.class);
    private static final AttributeKey<Delivery> DELIVERY = AttributeKey.of("gatehouse.webhook", Delivery.class);

    private record Delivery(String key, String token) {}

    private final WebhookScheme scheme;
    private final WebhookSecrets secrets;
    private final long toleranceSeconds;
    private final int maxBodyBytes;
    private final @Nullable WebhookIds ids;
    private final Duration lease;
    private final Clock clock;
    private final Headers challenge;
    /** Whose ids these are: ids are unique per sender only, and two endpoints' senders must not share them. */
    private final String replayNamespace;

    private WebhookPolicy(Builder builder) {
        this.scheme = builder.scheme;
        this.secrets = new WebhookSecrets(builder.secrets);
        this.toleranceSeconds = builder.tolerance.toSeconds();
        this.maxBodyBytes = builder.maxBodyBytes;
        this.ids = builder.ids;
        this.lease = builder.lease;
        this.clock = builder.clock;
        this.replayNamespace =
                builder.replayNamespace != null ? builder.replayNamespace : secretsDigest(builder.secrets);
        String header = scheme == WebhookScheme.STANDARD_WEBHOOKS ? "webhook-signature" : "Stripe-Signature";
        this.challenge = Headers.of("WWW-Authenticate", "Signature header=\"" + header + "\"");
    }

    public static Builder builder(WebhookScheme scheme) {
        return new Builder(scheme);
    }

    @Override
    public int requestBodyLimit() {
        return maxBodyBytes;
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        SignatureHeaders.Signed signed;
        try {
            signed = SignatureHeaders.read(scheme, exchange.requestHeaders());
        } catch (SignatureHeaders.Refusal refusal) {
            return refusal.status == 401
                    ? unauthorized(refusal.detail, refusal.getMessage())
                    : Decision.reject(refusal.status, refusal.detail).because(refusal.getMessage());
        }
        long skew = clock.instant().getEpochSecond() - signed.timestamp();
        if (Math.abs(skew) > toleranceSeconds) {
            return unauthorized(
                    "The webhook timestamp is too far from the current time.",
                    "timestamp " + signed.timestamp() + " is " + skew + " s from now (tolerance " + toleranceSeconds
                            + " s)");
        }
        RequestBody body = exchange.body()
                .orElseThrow(() -> new IllegalStateException(
                        "webhook: the request body was not buffered (expected: a PolicyChain buffers it)"));
        byte[] matched = secrets.match(signed, body.toByteArray());
        if (matched == null) {
            return unauthorized(
                    "The webhook signature is not valid.",
                    signed.signatures().size() + " v1 signature(s) match none of " + secrets.size() + " secret(s) over "
                            + body.length() + " bytes");
        }
        return ids == null ? Decision.proceed().because("signature verified") : claim(exchange, signed, matched);
    }

    /** The sender, as the set of secrets it signs with: the same whatever their order. */
    private static String secretsDigest(List<byte[]> secrets) {
        List<String> keys = new ArrayList<>();
        for (byte[] secret : secrets) {
            keys.add(HexFormat.of().formatHex(secret));
        }
        java.util.Collections.sort(keys);
        return Digests.sha256Hex("webhook-sender\u0000" + String.join(",", keys));
    }

    private Decision claim(Exchange exchange, SignatureHeaders.Signed signed, byte[] matched) {
        String id = signed.id().orElseGet(() -> HexFormat.of().formatHex(matched));
        String key = Digests.sha256Hex("webhook\u0000" + scheme + "\u0000" + replayNamespace + "\u0000" + id);
        String shown = Printable.of(id, 80);
        Optional<String> token;
        try {
            token = requireNonNull(ids).claim(key, lease);
        } catch (RuntimeException e) {
            return Decision.reject(
                            Problem.of(503, "Webhook replay protection is temporarily unavailable; retry later."),
                            Headers.of("Retry-After", "5"))
                    .because("webhook ids unavailable (" + Throwables.rootMessage(e) + "): failed closed");
        }
        if (token.isEmpty()) {
            return Decision.reject(409, "This webhook was already received.").because("replayed webhook " + shown);
        }
        exchange.setAttribute(DELIVERY, new Delivery(key, token.get()));
        return Decision.proceed().because("signature verified, webhook " + shown);
    }

    private Decision unauthorized(String detail, String reason) {
        return Decision.reject(Problem.of(401, detail), challenge).because(reason);
    }

    @Override
    public void onComplete(Exchange exchange, Completion completion) {
        Optional<Delivery> delivery = exchange.attribute(DELIVERY);
        if (delivery.isEmpty() || ids == null) {
            return;
        }
        boolean delivered = exchange.attribute(PolicyChain.PROCEEDED).isPresent()
                && !completion.failed()
                && completion.status() / 100 == 2;
        try {
            if (delivered) {
                ids.delivered(delivery.get().key(), delivery.get().token(), Duration.ofSeconds(2 * toleranceSeconds));
            } else {
                ids.release(delivery.get().key(), delivery.get().token());
            }
        } catch (RuntimeException e) {
            LOG.warn("webhook ids: could not record the delivery: {}", Throwables.rootMessage(e));
        }
    }

    /** Refuses unsigned requests: a CORS preflight or a denied address is answered first. */
    @Override
    public Placement placement() {
        return Placement.GUARD;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public String toString() {
        return "WebhookPolicy[" + scheme + ", " + secrets.size() + " secret(s), tolerance " + toleranceSeconds + " s"
                + (ids == null ? "" : ", replay protection") + "]";
    }

    public static final class Builder {
        private final WebhookScheme scheme;
        private final List<byte[]> secrets = new ArrayList<>();
        private Duration tolerance = Duration.ofMinutes(5);
        private int maxBodyBytes = 1024 * 1024;
        private @Nullable WebhookIds ids;
        private Duration lease = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();
        private @Nullable String replayNamespace;

        private Builder(WebhookScheme scheme) {
            this.scheme = requireNonNull(scheme, "scheme");
        }

        /**
         * Accepts signatures made with {@code secret}; add several to rotate. Standard Webhooks: {@code
         * whsec_<base64>} (the prefix is optional); Stripe: the endpoint secret's text.
         */
        public Builder secret(String secret) {
            secrets.add(WebhookSecrets.key(scheme, secret));
            return this;
        }

        /** How far the timestamp may be from now, either way; 5 minutes by default. */
        public Builder tolerance(Duration tolerance) {
            checkArgument(
                    tolerance.compareTo(Duration.ofSeconds(1)) >= 0 && tolerance.compareTo(Duration.ofHours(1)) <= 0,
                    "tolerance: %s (expected: 1 s..1 hour)",
                    tolerance);
            this.tolerance = tolerance;
            return this;
        }

        /** The longest body accepted (and buffered); 1 MiB by default. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            checkArgument(
                    maxBodyBytes >= 1 && maxBodyBytes <= 64 * 1024 * 1024,
                    "maxBodyBytes: %s (expected: 1..67108864)",
                    maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** Refuses webhooks delivered before, remembered in {@code ids}; a claim lasts at most {@code lease}. */
        public Builder replayProtection(WebhookIds ids, Duration lease) {
            checkArgument(
                    lease.compareTo(Duration.ofSeconds(1)) >= 0 && lease.compareTo(Duration.ofHours(1)) <= 0,
                    "lease: %s (expected: 1 s..1 hour)",
                    lease);
            this.ids = requireNonNull(ids, "ids");
            this.lease = lease;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Whose delivery ids replay protection remembers. Ids are unique per sender only, so by default the
         * namespace is the sender's: a digest of this policy's secrets (two endpoints with other secrets never
         * refuse each other's ids; endpoints sharing the secrets share the ids). Name it to keep it across a
         * rotation that changes the secrets, or to share it between endpoints on purpose.
         */
        public Builder replayNamespace(String namespace) {
            checkArgument(!namespace.isEmpty(), "replayNamespace: empty (expected: a name)");
            this.replayNamespace = namespace;
            return this;
        }

        /** @throws IllegalStateException without a secret */
        public WebhookPolicy build() {
            checkState(!secrets.isEmpty(), "secrets: none (expected: at least one)");
            return new WebhookPolicy(this);
        }
    }
}
