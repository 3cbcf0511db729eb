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

    @Autowired
    OrdersController orders;

    /** A client of the running service: every call as curl would make it, headers as name-value pairs. */
    record Client(HttpClient http, URI base) {
        HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                    .timeout(Duration.ofSeconds(10))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body))
                    .headers(headers.length == 0 ? new String[] {"Accept", "*/*"} : headers)
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void theServiceStartsFromItsApplicationYmlWithEveryPolicyInFront(@LocalServerPort int port) throws Exception {
        Client client = new Client(
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                URI.create("http://127.0.0.1:" + port));

        HttpResponse<String> anonymous = client.call("GET", "/api/orders/1", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpResponse<String> catalogue = client.call("GET", "/public/catalogue", null, "Accept-Encoding", "gzip");
        assertThat(catalogue.statusCode()).isEqualTo(200);
        assertThat(catalogue.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(catalogue.headers().firstValue("RateLimit-Policy")).isPresent();
        assertThat(catalogue.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(catalogue.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        HttpResponse<String> preflight = client.call(
                "OPTIONS",
                "/api/orders",
                null,
                "Origin",
                "https://shop.example.com",
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "x-api-key, idempotency-key");
        assertThat(preflight.statusCode()).as("answered before authentication").isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://shop.example.com");

        String[] order = {
            "X-Api-Key",
            DEMO_KEY,
            "X-User-Id",
            "someone-else",
            "Content-Type",
            "application/json",
            "Idempotency-Key",
            "\"" + UUID.randomUUID() + "\""
        };
        String book = "{\"item\":\"book\",\"quantity\":2}";
        HttpResponse<String> placed = client.call("POST", "/api/orders", book, order);
        HttpResponse<String> retried = client.call("POST", "/api/orders", book, order);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
        assertThat(placed.body()).contains("\"owner\":\"billing-service\"").doesNotContain("someone-else");
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retried.body()).isEqualTo(placed.body());
        assertThat(orders.placed()).isEqualTo(1);

        HttpResponse<String> withoutKey = client.call(
                "POST",
                "/api/orders",
                "{\"item\":\"pen\",\"quantity\":1}",
                "X-Api-Key",
                DEMO_KEY,
                "Content-Type",
                "application/json");
        assertThat(withoutKey.statusCode()).as("an Idempotency-Key is required").isEqualTo(400);
    }
}
