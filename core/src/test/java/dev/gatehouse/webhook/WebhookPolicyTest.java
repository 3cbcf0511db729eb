package dev.gatehouse.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.WebhookSigners;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook verification against signatures made by independent implementations: the {@code standardwebhooks} npm
 * package and a Stripe-Signature built with node:crypto per Stripe's documentation ({@link WebhookSigners}).
 */
class WebhookPolicyTest {
    static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String OLD_STANDARD_SECRET = "whsec_" + "QWxsIHRoZSBvbGQgc2lnbmluZyBrZXkh";
    static final String STRIPE_SECRET = "whsec_stripe_test_secret_0123456789";
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final long T = NOW.getEpochSecond();
    static final String BODY = "{\"type\":\"invoice.paid\",\"amount\":4200,\"note\":\"caf\u00e9 \u2615\"}";

    final MutableClock clock = new MutableClock(NOW);
    final MemoryIds ids = new MemoryIds();
    final List<byte[]> received = new ArrayList<>();

    @BeforeAll
    static void requireNode() {
        WebhookSigners.require();
    }

    /** A webhook-id store in memory, as a fake: claimed, delivered or free per key. */
    static final class MemoryIds implements WebhookIds {
        final Map<String, String> taken = new ConcurrentHashMap<>();
        final List<String> delivered = new ArrayList<>();
        final List<String> released = new ArrayList<>();
        volatile boolean down;

        @Override
        public Optional<String> claim(String key, Duration lease) {
            if (down) {
                throw new IllegalStateException("connection refused");
            }
            String token = UUID.randomUUID().toString();
            return taken.putIfAbsent(key, token) == null ? Optional.of(token) : Optional.empty();
        }

        @Override
        public void delivered(String key, String token, Duration remember) {
            delivered.add(key);
        }

        @Override
        public void release(String key, String token) {
            taken.remove(key, token);
            released.add(key);
        }
    }

    WebhookPolicy.Builder standard() {
        return WebhookPolicy.builder(WebhookScheme.STANDARD_WEBHOOKS)
                .secret(STANDARD_SECRET)
                .replayProtection(ids, Duration.ofSeconds(60))
                .clock(clock);
    }

    WebhookPolicy.Builder stripe() {
        return WebhookPolicy.builder(WebhookScheme.STRIPE)
                .secret(STRIPE_SECRET)
                .replayProtection(ids, Duration.ofSeconds(60))
                .clock(clock);
    }

    static FakeExchange standardWebhook(String secret, String id, long timestamp, byte[] signedBody, byte[] sentBody) {
        return FakeExchange.post("/hooks")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", WebhookSigners.standard(secret, id, timestamp, signedBody))
                .withBody(sentBody);
    }

    static FakeExchange stripeWebhook(long timestamp, byte[] body) {
        return FakeExchange.post("/hooks")
                .header("Stripe-Signature", WebhookSigners.stripe(STRIPE_SECRET, timestamp, body))
                .withBody(body);
    }

    FakeResponse serve(WebhookPolicy policy, FakeExchange webhook, int serviceStatus) {
        return FakeHost.serve(PolicyChain.of(policy), webhook, exchange -> {
            received.add(exchange.body().orElseThrow().toByteArray());
            return FakeResponse.of(serviceStatus);
        });
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStandardWebhookSignedByTheReferenceLibraryReachesTheServiceUnchanged() {
        FakeResponse response =
                serve(standard().build(), standardWebhook(STANDARD_SECRET, "msg_1", T, utf8(BODY), utf8(BODY)), 204);

        assertThat(response.status()).isEqualTo(204);
        assertThat(received).singleElement().isEqualTo(utf8(BODY));
        assertThat(ids.delivered).hasSize(1);
    }

    @Test
    void aStripeWebhookSignedPerStripesDocumentationIsAccepted() {
        FakeResponse response = serve(stripe().build(), stripeWebhook(T - 10, utf8(BODY)), 200);

        assertThat(response.status()).isEqualTo(200);
        assertThat(received).singleElement().isEqualTo(utf8(BODY));
    }

    @Test
    void aTamperedBodyIsRefusedWith401AndNeverReachesTheService() {
        byte[] tampered = utf8(BODY.replace("4200", "4201"));

        Decision standard =
                FakeHost.decide(standard().build(), standardWebhook(STANDARD_SECRET, "msg_1", T, utf8(BODY), tampered));
        FakeExchange stripeWebhook = stripeWebhook(T, utf8(BODY)).withBody(tampered);
        Decision stripe = FakeHost.decide(stripe().build(), stripeWebhook);

        for (Decision decision : List.of(standard, stripe)) {
            assertThat(decision).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
                assertThat(reject.status()).isEqualTo(401);
                assertThat(reject.headers().first("WWW-Authenticate")).isPresent();
                assertThat(reject.reason())
                        .hasValueSatisfying(reason -> assertThat(reason).contains("match none"));
            });
        }
        assertThat(ids.taken).isEmpty();
    }

    @Test
    void staleAndFutureTimestampsAreRefusedEvenWithAValidSignature() {
        Decision stale = FakeHost.decide(
                standard().build(), standardWebhook(STANDARD_SECRET, "msg_1", T - 301, utf8(BODY), utf8(BODY)));
        Decision future = FakeHost.decide(
                standard().build(), standardWebhook(STANDARD_SECRET, "msg_2", T + 301, utf8(BODY), utf8(BODY)));
        Decision staleStripe = FakeHost.decide(stripe().build(), stripeWebhook(T - 301, utf8(BODY)));
        Decision withinTolerance = FakeHost.decide(
                standard().build(), standardWebhook(STANDARD_SECRET, "msg_3", T - 299, utf8(BODY), utf8(BODY)));

        for (Decision decision : List.of(stale, future, staleStripe)) {
            assertThat(decision).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
                assertThat(reject.status()).isEqualTo(401);
                assertThat(reject.reason())
                        .hasValueSatisfying(reason -> assertThat(reason).contains("tolerance"));
            });
        }
        assertThat(withinTolerance).isInstanceOf(Decision.Proceed.class);
    }

    @Test
    void aReplayedWebhookIsRefusedWith409AndTheServiceSeesItOnce() {
        WebhookPolicy policy = standard().build();
        byte[] body = utf8(BODY);
        FakeExchange original = standardWebhook(STANDARD_SECRET, "msg_replayed", T, body, body);
        FakeExchange replay = standardWebhook(STANDARD_SECRET, "msg_replayed", T, body, body);

        FakeResponse first = serve(policy, original, 200);
        FakeResponse second = serve(policy, replay, 200);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(received).hasSize(1);
    }

    @Test
    void anotherSendersDeliveryWithTheSameIdIsNotAReplay() {
        // Ids are unique per sender: an endpoint with its own secret must not refuse its sender's id because
        // another endpoint's sender (or anyone holding that secret) used it first.
        String otherSecret = "whsec_c2Vjb25kLXNlbmRlci1zZWNyZXQtMTIzNDU2";
        WebhookPolicy first = standard().build();
        WebhookPolicy second = WebhookPolicy.builder(WebhookScheme.STANDARD_WEBHOOKS)
                .secret(otherSecret)
                .replayProtection(ids, Duration.ofSeconds(60))
                .clock(clock)
                .build();
        WebhookPolicy sameSender = standard().build();
        byte[] body = utf8(BODY);

        assertThat(serve(first, standardWebhook(STANDARD_SECRET, "msg_1", T, body, body), 200)
                        .status())
                .isEqualTo(200);
        assertThat(serve(second, standardWebhook(otherSecret, "msg_1", T, body, body), 200)
                        .status())
                .isEqualTo(200);
        assertThat(serve(sameSender, standardWebhook(STANDARD_SECRET, "msg_1", T, body, body), 200)
                        .status())
                .as("the same sender's id on an endpoint with the same secret is a replay")
                .isEqualTo(409);
    }

    @Test
    void aReplayedStripeWebhookIsRefusedButAResendWithANewTimestampRuns() {
        WebhookPolicy policy = stripe().build();

        serve(policy, stripeWebhook(T, utf8(BODY)), 200);
        FakeResponse replay = serve(policy, stripeWebhook(T, utf8(BODY)), 200);
        FakeResponse resend = serve(policy, stripeWebhook(T + 5, utf8(BODY)), 200);

        assertThat(replay.status()).isEqualTo(409);
        assertThat(resend.status()).isEqualTo(200);
        assertThat(received).hasSize(2);
    }

    @Test
    void aDeliveryTheServiceFailedIsForgottenSoTheSendersRetryRuns() {
        WebhookPolicy policy = standard().build();
        byte[] body = utf8(BODY);

        FakeResponse failed = serve(policy, standardWebhook(STANDARD_SECRET, "msg_retry", T, body, body), 503);
        FakeResponse retry = serve(policy, standardWebhook(STANDARD_SECRET, "msg_retry", T + 30, body, body), 200);

        assertThat(failed.status()).isEqualTo(503);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(ids.released).hasSize(1);
        assertThat(received).hasSize(2);
    }

    @Test
    void severalSecretsAreAcceptedWhileOneIsRotated() {
        WebhookPolicy policy = standard().secret(OLD_STANDARD_SECRET).build();
        byte[] body = utf8(BODY);

        Decision signedWithOld =
                FakeHost.decide(policy, standardWebhook(OLD_STANDARD_SECRET, "msg_old", T, body, body));
        Decision signedWithNew = FakeHost.decide(policy, standardWebhook(STANDARD_SECRET, "msg_new", T, body, body));
        Decision signedWithOther =
                FakeHost.decide(standard().build(), standardWebhook(OLD_STANDARD_SECRET, "msg_other", T, body, body));

        assertThat(signedWithOld).isInstanceOf(Decision.Proceed.class);
        assertThat(signedWithNew).isInstanceOf(Decision.Proceed.class);
        assertThat(signedWithOther)
                .isInstanceOfSatisfying(
                        Decision.Reject.class,
                        reject -> assertThat(reject.status()).isEqualTo(401));
    }

    @Test
    void aSignatureListWithOtherVersionsAndSeveralSignaturesFindsTheV1ThatMatches() {
        byte[] body = utf8(BODY);
        String good = WebhookSigners.standard(STANDARD_SECRET, "msg_list", T, body);
        FakeExchange webhook = FakeExchange.post("/hooks")
                .header("Webhook-Id", "msg_list")
                .header("WEBHOOK-TIMESTAMP", Long.toString(T))
                .header(
                        "webhook-signature",
                        "v1a,c29tZXRoaW5nIGVsc2U= v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + good)
                .withBody(body);

        assertThat(FakeHost.decide(standard().build(), webhook)).isInstanceOf(Decision.Proceed.class);
    }

    @Test
    void missingSignaturesAre401AndMalformedHeadersAre400() {
        byte[] body = utf8(BODY);
        Decision unsigned =
                FakeHost.decide(standard().build(), FakeExchange.post("/hooks").withBody(body));
        Decision noV1 = FakeHost.decide(
                standard().build(),
                FakeExchange.post("/hooks")
                        .header("webhook-id", "msg_1")
                        .header("webhook-timestamp", Long.toString(T))
                        .header("webhook-signature", "v1a,c29tZXRoaW5n")
                        .withBody(body));
        Decision badTimestamp = FakeHost.decide(
                standard().build(),
                FakeExchange.post("/hooks")
                        .header("webhook-id", "msg_1")
                        .header("webhook-timestamp", "yesterday")
                        .header("webhook-signature", "v1,AAAA")
                        .withBody(body));
        Decision twoIds = FakeHost.decide(
                standard().build(),
                standardWebhook(STANDARD_SECRET, "msg_1", T, body, body).header("webhook-id", "msg_2"));
        Decision badStripe = FakeHost.decide(
                stripe().build(),
                FakeExchange.post("/hooks").header("Stripe-Signature", "v1=zz").withBody(body));

        assertThat(status(unsigned)).isEqualTo(401);
        assertThat(status(noV1)).isEqualTo(401);
        assertThat(status(badTimestamp)).isEqualTo(400);
        assertThat(status(twoIds)).isEqualTo(400);
        assertThat(status(badStripe)).isEqualTo(400);
        // Signed over the number, sent with leading zeros: the upstream would verify another text than was checked.
        FakeExchange zeros = standardWebhook(STANDARD_SECRET, "msg_1", T, body, body);
        zeros.requestHeaders().set("webhook-timestamp", "00" + T);
        assertThat(status(FakeHost.decide(standard().build(), zeros))).isEqualTo(400);
    }

    @Test
    void aBodyOverTheCapIsRefusedWith413BeforeAnyCheck() {
        WebhookPolicy policy = standard().maxBodyBytes(16).build();
        byte[] body = utf8(BODY);

        FakeResponse response = serve(policy, standardWebhook(STANDARD_SECRET, "msg_big", T, body, body), 200);

        assertThat(response.status()).isEqualTo(413);
        assertThat(received).isEmpty();
        assertThat(ids.taken).isEmpty();
    }

    @Test
    void whenTheIdStoreIsDownTheWebhookIsRefusedWith503() {
        ids.down = true;
        byte[] body = utf8(BODY);

        Decision decision =
                FakeHost.decide(standard().build(), standardWebhook(STANDARD_SECRET, "msg_1", T, body, body));

        assertThat(decision).isInstanceOfSatisfying(Decision.Reject.class, reject -> {
            assertThat(reject.status()).isEqualTo(503);
            assertThat(reject.headers().first("Retry-After")).isPresent();
        });
    }

    @Test
    void theBuilderChecksItsSecretsAndLimits() {
        assertThatThrownBy(() ->
                        WebhookPolicy.builder(WebhookScheme.STANDARD_WEBHOOKS).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("secrets: none");
        assertThatThrownBy(() ->
                        WebhookPolicy.builder(WebhookScheme.STANDARD_WEBHOOKS).secret("whsec_not base64!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base64");
        assertThatThrownBy(() -> standard().tolerance(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance");
    }

    private static int status(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Reject.class);
        return ((Decision.Reject) decision).status();
    }
}
