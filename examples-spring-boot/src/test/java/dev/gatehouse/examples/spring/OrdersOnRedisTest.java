package dev.gatehouse.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example service with {@code gatehouse.redis} set, on the Lettuce version Boot manages (not the one Gatehouse
 * builds with): rate-limit decisions are made in Redis, and the quota holds.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "gatehouse.redis=${REDIS_URL:redis://127.0.0.1:6379}")
class OrdersOnRedisTest {
    @Test
    void rateLimitDecisionsAreMadeInRedisWithBootsLettuce(@LocalServerPort int port) throws Exception {
        OrdersApplicationTest.Client client = new OrdersApplicationTest.Client(
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                URI.create("http://127.0.0.1:" + port));
        String url = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
        RedisClient redis = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            long scriptCallsBefore = scriptCalls(connection);

            // /public allows 20 a second per address: 30 at once leave some refused.
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> response = client.call("GET", "/public/catalogue", null);
                statuses.add(response.statusCode());
            }

            assertThat(statuses).contains(200, 429).containsOnly(200, 429);
            assertThat(statuses.stream().filter(status -> status == 200).count())
                    .as("the second's quota of 20, give or take the refill over the run")
                    .isBetween(20L, 29L);
            assertThat(scriptCalls(connection) - scriptCallsBefore)
                    .as(
                            "decided in Redis (Lettuce %s)",
                            RedisClient.class.getPackage().getImplementationVersion())
                    .isGreaterThanOrEqualTo(30);
        } finally {
            redis.shutdown();
        }
    }

    private static long scriptCalls(StatefulRedisConnection<String, String> connection) {
        long total = 0;
        for (String line : connection.sync().info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                total += Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return total;
    }
}
