package dev.gatehouse.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.IdempotencyStore.Claim;
import dev.gatehouse.idempotency.IdempotencyStoreException;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.PostgresSupport;
import dev.gatehouse.testing.Race;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Durable idempotency on a real PostgreSQL server: REQUIREMENTS.md §2 items 12 and 13, leases, restarts. */
class PostgresIdempotencyTest {
    final AtomicInteger executions = new AtomicInteger();
    DataSource dataSource;

    @BeforeEach
    void database() {
        dataSource = PostgresSupport.requirePostgres();
    }

    Function<dev.gatehouse.Exchange, FakeResponse> service(long sleepMillis) {
        return exchange -> {
            int n = executions.incrementAndGet();
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeResponse.of(201)
                    .header("Content-Type", "application/json")
                    .header("Location", "/payments/" + n)
                    .withBody("{\"payment\":" + n + "}");
        };
    }

    static FakeExchange post(String key, String body) {
        return FakeExchange.post("/payments")
                .header("Idempotency-Key", "\"" + key + "\"")
                .withBody(body);
    }

    @Test
    void twoInstancesRacingWithOneKeyExecuteOnce() throws Exception {
        String key = UUID.randomUUID().toString();
        try (PostgresIdempotencyStore first =
                        PostgresIdempotencyStore.builder(dataSource).build();
                PostgresIdempotencyStore second =
                        PostgresIdempotencyStore.builder(dataSource).build()) {
            PolicyChain a = PolicyChain.of(IdempotencyPolicy.builder(first).build());
            PolicyChain b = PolicyChain.of(IdempotencyPolicy.builder(second).build());
            List<Integer> statuses = Race.of(20, i -> {
                PolicyChain chain = i % 2 == 0 ? a : b;
                return () -> FakeHost.serve(chain, post(key, "{\"amount\":42}"), service(300))
                        .status();
            });

            assertThat(executions).hasValue(1);
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        }
    }

    @Test
    void aRestartedInstanceReplaysWhatTheOldOneStoredAndAnotherBodyIs422() {
        String key = UUID.randomUUID().toString();
        FakeResponse original;
        try (PostgresIdempotencyStore store =
                PostgresIdempotencyStore.builder(dataSource).build()) {
            original = FakeHost.serve(
                    PolicyChain.of(IdempotencyPolicy.builder(store).build()), post(key, "{\"amount\":42}"), service(0));
        }
        try (PostgresIdempotencyStore restarted =
                PostgresIdempotencyStore.builder(dataSource).build()) {
            PolicyChain chain =
                    PolicyChain.of(IdempotencyPolicy.builder(restarted).build());
            FakeResponse replay = FakeHost.serve(chain, post(key, "{\"amount\":42}"), service(0));

            assertThat(executions).hasValue(1);
            assertThat(replay.status()).isEqualTo(201);
            assertThat(replay.body()).isEqualTo(original.body());
            assertThat(replay.headers().first("Content-Type")).hasValue("application/json");
            assertThat(replay.headers().first("Location")).hasValue("/payments/1");
            assertThat(replay.headers().first("Idempotent-Replayed")).hasValue("true");
            assertThat(FakeHost.serve(chain, post(key, "{\"amount\":43}"), service(0))
                            .status())
                    .isEqualTo(422);
            assertThat(executions).hasValue(1);
        }
    }

    @Test
    void aLeaseEndsOnTheDatabasesClockAndOnlyItsHolderCompletesOrReleases() throws Exception {
        String key = UUID.randomUUID().toString();
        try (PostgresIdempotencyStore store =
                PostgresIdempotencyStore.builder(dataSource).build()) {
            Claim first = store.claim(key, "fp", Duration.ofMillis(300));
            assertThat(first).isInstanceOf(Claim.Claimed.class);
            assertThat(store.claim(key, "fp", Duration.ofSeconds(30))).isEqualTo(new Claim.InFlight("fp"));

            Thread.sleep(400);
            Claim second = store.claim(key, "fp", Duration.ofSeconds(30));
            assertThat(second).as("the lease ended: the key is free again").isInstanceOf(Claim.Claimed.class);

            StoredResponse late = StoredResponse.of(200, Headers.of("Content-Type", "text/plain"), new byte[] {'x'});
            store.complete(key, ((Claim.Claimed) first).token(), "fp", Optional.of(late), Duration.ofHours(1));
            store.release(key, ((Claim.Claimed) first).token());
            assertThat(store.claim(key, "fp", Duration.ofSeconds(30)))
                    .as("the old holder could neither complete nor release the new claim")
                    .isEqualTo(new Claim.InFlight("fp"));

            store.release(key, ((Claim.Claimed) second).token());
            assertThat(store.claim(key, "fp", Duration.ofSeconds(30))).isInstanceOf(Claim.Claimed.class);
        }
    }

    @Test
    void aRecordIsKeptForItsTtlThenPurged() throws Exception {
        String key = UUID.randomUUID().toString();
        try (PostgresIdempotencyStore store =
                PostgresIdempotencyStore.builder(dataSource).build()) {
            Claim.Claimed claimed = (Claim.Claimed) store.claim(key, "fp", Duration.ofSeconds(30));
            store.complete(key, claimed.token(), "fp", Optional.empty(), Duration.ofMillis(300));
            assertThat(store.claim(key, "fp", Duration.ofSeconds(30)))
                    .isEqualTo(new Claim.Completed("fp", Optional.empty()));

            Thread.sleep(400);
            assertThat(store.purgeExpired()).isGreaterThanOrEqualTo(1);
            assertThat(rows(key)).isZero();
            assertThat(store.claim(key, "fp", Duration.ofSeconds(30))).isInstanceOf(Claim.Claimed.class);
        }
    }

    @Test
    void anUnreachableDatabaseIsAStoreFailureWithAClearMessageAndTheStoreRecovers() {
        PGSimpleDataSource moving = new PGSimpleDataSource();
        moving.setURL(PostgresSupport.url());
        moving.setConnectTimeout(1);
        int port = moving.getPortNumbers()[0] == 0 ? 5432 : moving.getPortNumbers()[0];
        try (PostgresIdempotencyStore store =
                PostgresIdempotencyStore.builder(moving).build()) {
            moving.setPortNumbers(new int[] {1}); // the database is gone: nothing listens there

            assertThatThrownBy(() -> store.claim(UUID.randomUUID().toString(), "fp", Duration.ofSeconds(1)))
                    .isInstanceOf(IdempotencyStoreException.class)
                    .hasMessageStartingWith("PostgreSQL: ");
            FakeResponse refused = FakeHost.serve(
                    PolicyChain.of(IdempotencyPolicy.builder(store).build()),
                    post(UUID.randomUUID().toString(), "{}"),
                    service(0));
            assertThat(refused.status())
                    .as("the policy's failure mode, never a 500")
                    .isEqualTo(503);
            assertThat(executions).as("nothing executed without a claim").hasValue(0);

            moving.setPortNumbers(new int[] {port});
            assertThat(store.claim(UUID.randomUUID().toString(), "fp", Duration.ofSeconds(1)))
                    .as("back without a restart")
                    .isInstanceOf(Claim.Claimed.class);
        }
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/gatehouse?user=gatehouse&password=gatehouse");
        assertThatThrownBy(() -> PostgresIdempotencyStore.builder(nowhere).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("PostgreSQL: could not create the idempotency table gatehouse_idempotency");
        assertThatThrownBy(() -> PostgresIdempotencyStore.builder(dataSource).table("drop table x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table: drop table x");
    }

    @Test
    void aDatabaseCrashedAndRestartedUnderLoadNeverRunsAKeyTwiceAndIsBackWithoutARestart() throws Exception {
        try (PostgresSupport.Server server = new PostgresSupport.Server();
                PostgresIdempotencyStore first =
                        PostgresIdempotencyStore.builder(server.dataSource()).build();
                PostgresIdempotencyStore second =
                        PostgresIdempotencyStore.builder(server.dataSource()).build()) {
            PolicyChain a = PolicyChain.of(IdempotencyPolicy.builder(first).build());
            PolicyChain b = PolicyChain.of(IdempotencyPolicy.builder(second).build());
            Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
            Map<Integer, AtomicInteger> statuses = new ConcurrentSkipListMap<>();
            Function<dev.gatehouse.Exchange, FakeResponse> service = exchange -> {
                String key = exchange.requestHeaders().first("Idempotency-Key").orElseThrow();
                int run = runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                return FakeResponse.of(201).withBody("{\"key\":" + key + ",\"run\":" + run + "}");
            };
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger lastStatusAfterRestart = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean();
            FakeResponse firstAnswer = FakeHost.serve(a, post("load-0", "{}"), service);
            // Four clients, two on each instance, send the same keys in the same order: every key races.
            Thread[] clients = new Thread[4];
            for (int t = 0; t < clients.length; t++) {
                PolicyChain chain = t % 2 == 0 ? a : b;
                clients[t] = new Thread(() -> {
                    for (int n = 1; !stop.get(); n++) {
                        int status = FakeHost.serve(chain, post("load-" + n, "{}"), service)
                                .status();
                        statuses.computeIfAbsent(status, k -> new AtomicInteger())
                                .incrementAndGet();
                        if (restarted.get()) {
                            lastStatusAfterRestart.set(status);
                        }
                    }
                });
                clients[t].start();
            }
            Thread.sleep(500);
            server.crash();
            Thread.sleep(1_000);
            server.start();
            restarted.set(true);
            Thread.sleep(1_500);
            stop.set(true);
            for (Thread client : clients) {
                client.join(10_000);
            }

            assertThat(runs.values())
                    .as("no key ran twice")
                    .allSatisfy(count -> assertThat(count).hasValue(1));
            assertThat(statuses.keySet())
                    .as("executed or replayed, in progress, or the store's failure mode: never a 500")
                    .isSubsetOf(201, 409, 503)
                    .contains(201, 503);
            assertThat(lastStatusAfterRestart)
                    .as("back without restarting the stores")
                    .hasValue(201);
            FakeResponse replay = FakeHost.serve(b, post("load-0", "{}"), service);
            assertThat(replay.bodyText())
                    .as("a record stored before the crash is replayed after it")
                    .isEqualTo(firstAnswer.bodyText());
            assertThat(runs.get("\"load-0\"")).hasValue(1);
        }
    }

    private int rows(String key) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                var statement =
                        connection.prepareStatement("SELECT count(*) FROM gatehouse_idempotency WHERE key = ?")) {
            statement.setString(1, key);
            try (var result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }
}
