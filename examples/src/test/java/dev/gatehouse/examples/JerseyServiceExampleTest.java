package dev.gatehouse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class JerseyServiceExampleTest {
    @Test
    void theResourceSeesTheRequestIdTheFeatureKeptOrMade() throws Exception {
        JerseyServiceExample example = JerseyServiceExample.start("127.0.0.1", 0);
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> kept = client.send(
                    HttpRequest.newBuilder(example.uri().resolve("/orders/42"))
                            .header("X-Request-Id", "order-lookup-1")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> made = client.send(
                    HttpRequest.newBuilder(example.uri().resolve("/orders/7")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(kept.statusCode()).isEqualTo(200);
            assertThat(kept.body())
                    .isEqualTo("{\"id\":\"42\",\"status\":\"shipped\",\"requestId\":\"order-lookup-1\"}");
            assertThat(kept.headers().firstValue("X-Request-Id")).hasValue("order-lookup-1");
            String generated = made.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(generated).matches("[0-9a-f]{32}");
            assertThat(made.body()).contains("\"requestId\":\"" + generated + "\"");
        } finally {
            example.stop();
        }
    }
}
