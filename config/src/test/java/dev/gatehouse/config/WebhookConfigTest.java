package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.WebhookSigners;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Webhook ids in the idempotency store, and one store shared by two gateway instances. */
class WebhookConfigTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    final AtomicLong nanos = new AtomicLong();
    final IdempotencyStore store = InMemoryIdempotencyStore.withNanoClock(1000, nanos::get);
    final IdempotencyStoreWebhookIds ids = IdempotencyStoreWebhookIds.of(store);

    @Test
    void aClaimedIdIsTakenUntilReleasedAndADeliveredOneForTheTimeItIsRemembered() {
        Optional<String> first = ids.claim("k1", Duration.ofSeconds(60));
        Optional<String> whileInFlight = ids.claim("k1", Duration.ofSeconds(60));
        ids.release("k1", first.orElseThrow());
        Optional<String> afterRelease = ids.claim("k1", Duration.ofSeconds(60));
        ids.delivered("k1", afterRelease.orElseThrow(), Duration.ofMinutes(10));
        Optional<String> whileRemembered = ids.claim("k1", Duration.ofSeconds(60));
        nanos.addAndGet(Duration.ofMinutes(10).plusSeconds(1).toNanos());
        Optional<String> afterwards = ids.claim("k1", Duration.ofSeconds(60));

        assertThat(first).isPresent();
        assertThat(whileInFlight).isEmpty();
        assertThat(afterRelease).isPresent();
        assertThat(whileRemembered).isEmpty();
        assertThat(afterwards).isPresent();
    }

    @Test
    void twoInstancesSharingTheStoreLetAWebhookThroughOnce() {
        WebhookSigners.require();
        WebhookConfig config = new WebhookConfig("standard-webhooks", List.of(SECRET), null, null, null, null, null);
        PolicyChain instanceA = PolicyChain.of(config.policy(store));
        PolicyChain instanceB = PolicyChain.of(config.policy(store));
        byte[] body = "{\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis() / 1000;
        String signature = WebhookSigners.standard(SECRET, "msg_shared", now, body);

        FakeResponse first = FakeHost.serve(instanceA, webhook(now, signature, body), exchange -> FakeResponse.of(200));
        FakeResponse replay =
                FakeHost.serve(instanceB, webhook(now, signature, body), exchange -> FakeResponse.of(200));

        assertThat(first.status()).isEqualTo(200);
        assertThat(replay.status()).isEqualTo(409);
    }

    @Test
    void aNamedNamespaceKeepsTheIdsAcrossARotationThatChangesTheSecrets() {
        WebhookSigners.require();
        String added = "whsec_c2Vjb25kLXNlbmRlci1zZWNyZXQtMTIzNDU2";
        byte[] body = "{\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis() / 1000;
        String signature = WebhookSigners.standard(SECRET, "msg_shared", now, body);
        for (String namespace : new String[] {"payments", null}) {
            IdempotencyStore records = InMemoryIdempotencyStore.ofDefaults();
            WebhookConfig before =
                    new WebhookConfig("standard-webhooks", List.of(SECRET), null, null, null, null, namespace);
            WebhookConfig rotated =
                    new WebhookConfig("standard-webhooks", List.of(added, SECRET), null, null, null, null, namespace);

            FakeHost.serve(
                    PolicyChain.of(before.policy(records)),
                    webhook(now, signature, body),
                    exchange -> FakeResponse.of(200));
            FakeResponse again = FakeHost.serve(
                    PolicyChain.of(rotated.policy(records)),
                    webhook(now, signature, body),
                    exchange -> FakeResponse.of(200));

            assertThat(again.status()).as("namespace " + namespace).isEqualTo(namespace == null ? 200 : 409);
        }
        assertThatThrownBy(() -> new WebhookConfig(
                        "stripe", List.of("whsec_endpoint_secret_0123456789"), null, null, null, null, " "))
                .hasMessageContaining("replayNamespace");
    }

    @Test
    void replayProtectionMayBeTurnedOffAndBadValuesNameThemselves() {
        WebhookConfig unprotected = new WebhookConfig(
                "stripe", List.of("whsec_endpoint_secret_0123456789"), "1m", "64KiB", false, null, null);

        assertThat(unprotected.policy(store).toString()).doesNotContain("replay protection");
        assertThat(unprotected.toString()).doesNotContain("whsec_endpoint_secret_0123456789");
        assertThatThrownBy(() -> new WebhookConfig("stripe", List.of(), null, null, null, null, null))
                .hasMessage("secrets: none (expected: at least one signing secret)");
        assertThatThrownBy(() -> new WebhookConfig(
                        "stripe", List.of("whsec_endpoint_secret_0123456789"), null, "1GiB", null, null, null))
                .hasMessageContaining("maxBodySize");
        assertThatThrownBy(() -> new WebhookConfig("stripe", List.of("x"), null, null, null, null, null))
                .hasMessageContaining("secret: 1 characters (expected: the endpoint's signing secret, at least 16)");
    }

    private static FakeExchange webhook(long timestamp, String signature, byte[] body) {
        return FakeExchange.post("/hooks")
                .header("webhook-id", "msg_shared")
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature)
                .withBody(body);
    }
}
