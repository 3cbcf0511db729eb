package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The upstream choice as a plain unit: smooth weighted round-robin, pinning, and ejected upstreams. */
class UpstreamsTest {
    private final ManualClock clock = new ManualClock();

    private Upstreams upstreams(List<Integer> weights, String... hosts) {
        List<URI> uris = new ArrayList<>();
        for (String host : hosts) {
            uris.add(URI.create("http://" + host));
        }
        GatewayRoute route = new GatewayRoute("/", uris, PolicyChain.empty(), Duration.ofSeconds(1))
                .withWeights(weights)
                .withHealth(new GatewayRoute.PassiveHealth(1, Duration.ofHours(1)));
        return new Upstreams("/", route, clock);
    }

    private static String pick(Upstreams upstreams, String pin) {
        Upstreams.Choice choice = upstreams.choose(Set.of(), pin);
        assertThat(choice).isNotNull();
        choice.permit().succeeded();
        return choice.upstream().toString();
    }

    private static void eject(Upstreams upstreams, String host) {
        for (Upstreams.Upstream upstream : upstreams.all()) {
            if (upstream.toString().equals(host)) {
                upstream.health.acquirePermission();
                upstream.health.onError(0, java.util.concurrent.TimeUnit.NANOSECONDS, new RuntimeException("down"));
            }
        }
    }

    @Test
    void theHostFieldIsTheUpstreamsHostWithItsPortUnlessTheDefaultAndNeverItsUserInfo() {
        Map<String, String> hostByUrl = new LinkedHashMap<>();
        hostByUrl.put("http://orders", "orders");
        hostByUrl.put("http://orders:80/v2", "orders");
        hostByUrl.put("https://orders:443", "orders");
        hostByUrl.put("https://orders:80", "orders:80");
        hostByUrl.put("http://orders:8443", "orders:8443");
        hostByUrl.put("http://[::1]:8080", "[::1]:8080");
        hostByUrl.put("http://svc:secret@10.0.0.7:81", "10.0.0.7:81");

        Map<String, String> actual = new LinkedHashMap<>();
        hostByUrl.keySet().forEach(url -> actual.put(url, Upstreams.Upstream.hostValue(URI.create(url))));

        assertThat(actual).containsExactlyEntriesOf(hostByUrl);
    }

    @Test
    void weightsFollowNginxsSmoothSequence() {
        Upstreams upstreams = upstreams(List.of(5, 1, 1), "a", "b", "c");

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            order.add(pick(upstreams, null));
        }

        assertThat(order).containsExactly("a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void anEjectedUpstreamGetsNothingAndTheOthersKeepTheirRatio() {
        Upstreams upstreams = upstreams(List.of(5, 2, 1), "a", "b", "c");
        eject(upstreams, "a");

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(pick(upstreams, null), 1, Integer::sum);
        }

        assertThat(counts).containsOnlyKeys("b", "c");
        assertThat(counts.get("b")).isEqualTo(200);
    }

    @Test
    void pinnedValuesSpreadByWeight() {
        Upstreams upstreams = upstreams(List.of(90, 10), "stable", "canary");

        int canary = 0;
        for (int i = 0; i < 10_000; i++) {
            canary += pick(upstreams, "user-" + i).equals("canary") ? 1 : 0;
        }

        assertThat(canary / 100.0).as("canary %").isBetween(8.5, 11.5);
    }

    @Test
    void anEjectionMovesOnlyTheValuesPinnedToTheEjectedUpstream() {
        Upstreams upstreams = upstreams(List.of(1, 1, 1), "a", "b", "c");
        Map<String, String> before = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            before.put("v" + i, pick(upstreams, "v" + i));
        }

        eject(upstreams, "b");

        for (Map.Entry<String, String> pinned : before.entrySet()) {
            String now = pick(upstreams, pinned.getKey());
            assertThat(now).as(pinned.getKey()).isNotEqualTo("b");
            if (!pinned.getValue().equals("b")) {
                assertThat(now).as(pinned.getKey()).isEqualTo(pinned.getValue());
            }
        }
        assertThat(before.values()).contains("a", "b", "c");
    }

    @Test
    void aRetryNeverReturnsToAnUpstreamAlreadyTried() {
        Upstreams upstreams = upstreams(List.of(1, 1), "a", "b");
        Upstreams.Choice first = upstreams.choose(Set.of(), "same");
        first.permit().release();

        Upstreams.Choice retry = upstreams.choose(Set.of(first.upstream()), "same");
        retry.permit().release();

        assertThat(retry.upstream()).isNotSameAs(first.upstream());
        assertThat(upstreams.choose(Set.of(first.upstream(), retry.upstream()), null))
                .isNull();
    }
}
