package dev.gatehouse.bucket4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.ratelimit.Consumption;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.StoreUnavailableException;
import dev.gatehouse.testing.PostgresSupport;
import dev.gatehouse.testing.Race;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Any bucket4j backend, shown on PostgreSQL (bucket4j's own integration) on a real server. */
class ProxyManagerBucketStoreTest {
    static final List<Limit> HOURLY_50 = List.of(Limit.of("hour", 50, Duration.ofHours(1)));

    DataSource dataSource;

    @BeforeEach
    void table() throws Exception {
        dataSource = PostgresSupport.requirePostgres();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS gatehouse_buckets"
                    + " (id text PRIMARY KEY, state bytea, expires_at bigint)");
        }
    }

    static ProxyManager<String> proxies(DataSource dataSource) {
        return Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("gatehouse_buckets")
                .build();
    }

    @Test
    void twoInstancesSharingOneDatabaseAdmitExactlyTheCapacityTogether() throws Exception {
        ProxyManagerBucketStore first = ProxyManagerBucketStore.of(proxies(dataSource));
        ProxyManagerBucketStore second = ProxyManagerBucketStore.of(proxies(dataSource));
        String client = "pg-" + UUID.randomUUID();

        int admitted = Race.of(16, t -> {
                    ProxyManagerBucketStore instance = t % 2 == 0 ? first : second;
                    return () -> {
                        int mine = 0;
                        for (int i = 0; i < 8; i++) {
                            mine += instance.tryConsume(client, HOURLY_50, 1).consumed() ? 1 : 0;
                        }
                        return mine;
                    };
                })
                .stream()
                .mapToInt(Integer::intValue)
                .sum();

        assertThat(admitted).as("128 attempts on a bucket of 50").isEqualTo(50);
        Consumption refused = first.tryConsume(client, HOURLY_50, 1);
        assertThat(refused.consumed()).isFalse();
        assertThat(refused.remaining()).containsExactly(0);
        assertThat(Duration.ofNanos(refused.nanosToWait())).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(73));
    }

    @Test
    void aRequestTakesItsCostFromEveryWindowOrFromNone() {
        ProxyManagerBucketStore store = ProxyManagerBucketStore.of(proxies(dataSource));
        String client = "pg-" + UUID.randomUUID();
        List<Limit> limits = List.of(Limit.of("second", 3, Duration.ofSeconds(1)), Limit.perMinute(10));

        assertThat(store.tryConsume(client, limits, 2).remaining()).containsExactly(1, 8);
        Consumption refused = store.tryConsume(client, limits, 2);
        assertThat(refused.consumed()).isFalse();
        assertThat(refused.remaining()).as("nothing taken from the minute").containsExactly(1, 8);
    }

    @Test
    void anUnreachableBackendIsAStoreFailure() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/gatehouse?user=gatehouse&password=gatehouse");
        ProxyManagerBucketStore store = ProxyManagerBucketStore.of(proxies(nowhere));

        assertThatThrownBy(() -> store.tryConsume("k", HOURLY_50, 1))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("bucket4j: ")
                .hasMessageContaining("Connection");
    }
}
