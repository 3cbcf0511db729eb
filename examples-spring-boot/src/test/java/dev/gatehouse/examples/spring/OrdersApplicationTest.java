package dev.gatehouse.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example service as its README section runs it: started from its application.yml, called over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrdersApplicationTest {
    static final String DEMO_KEY = "gh_demo_key_0123456789abcdef";
    static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    int port;

    @Autowired
    OrdersController orders;

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServiceStartsFromItsApplicationYmlWithEveryPolicyInFront() throws Exception {
        HttpResponse<String> anonymous = send(request("/api/orders/1"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpResponse<String> catalogue = send(request("/public/catalogue").header("Accept-Encoding", "gzip"));
        assertThat(catalogue.statusCode()).isEqualTo(200);
        assertThat(catalogue.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(catalogue.headers().firstValue("RateLimit-Policy")).isPresent();
        assertThat(catalogue.headers().firstValue("X-Request-Id")).isPresent();

        HttpRequest.Builder place = request("/api/orders")
                .header("X-Api-Key", DEMO_KEY)
                .header("X-User-Id", "someone-else")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "\"" + UUID.randomUUID() + "\"")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"book\",\"quantity\":2}"));
        HttpResponse<String> placed = send(place);
        HttpResponse<String> retried = send(place);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        assertThat(placed.body()).contains("\"owner\":\"billing-service\"").doesNotContain("someone-else");
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retried.body()).isEqualTo(placed.body());
        assertThat(orders.placed()).isEqualTo(1);

        HttpResponse<String> withoutKey = send(request("/api/orders")
                .header("X-Api-Key", DEMO_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"pen\",\"quantity\":1}")));
        assertThat(withoutKey.statusCode()).as("an Idempotency-Key is required").isEqualTo(400);
    }
}
