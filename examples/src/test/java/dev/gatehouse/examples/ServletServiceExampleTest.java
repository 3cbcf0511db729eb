package dev.gatehouse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServletServiceExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static ServletServiceExample example;

    @BeforeAll
    static void start() throws Exception {
        example = ServletServiceExample.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() throws Exception {
        example.stop();
    }

    @Test
    void keepsAValidRequestIdAndPassesItAndATraceToTheService() throws Exception {
        HttpResponse<String> response = send(get("/echo?a=1&a=2").header("X-Request-Id", "order-7f3a"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("order-7f3a");
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.path("method").asText()).isEqualTo("GET");
        assertThat(echo.path("path").asText()).isEqualTo("/echo");
        assertThat(echo.path("query").path("a")).hasSize(2);
        assertThat(echo.path("headers").path("x-request-id").asText()).isEqualTo("order-7f3a");
        assertThat(echo.path("headers").path("traceparent").asText()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    @Test
    void replacesAnInvalidRequestIdEverywhere() throws Exception {
        HttpResponse<String> response = send(get("/echo").header("x-request-id", "bad id\twith spaces"));

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(JSON.readTree(response.body())
                        .path("headers")
                        .path("x-request-id")
                        .asText())
                .isEqualTo(id);
    }

    @Test
    void countsExecutionsAndDigestsTheBody() throws Exception {
        long before = example.echo().executions();
        byte[] body = "{\"amount\":42}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri("/payments")).POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.path("bodySha256").asText())
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        assertThat(echo.path("executions").asLong()).isEqualTo(before + 1);
        assertThat(example.echo().executions()).isEqualTo(before + 1);
    }

    @Test
    void shapesTheResponseFromTheQuery() throws Exception {
        HttpResponse<String> response =
                send(get("/echo?status=201&type=text/plain&size=4096&header=X-Shape:round&header=X-Shape:blue"));

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.headers().allValues("X-Shape")).containsExactly("round", "blue");
        assertThat(response.body().getBytes(StandardCharsets.UTF_8)).hasSize(4096);
        assertThat(JSON.readTree(response.body()).path("padding").asText()).isNotEmpty();
    }

    @Test
    void refusesAMalformedShapeWithAProblemAndDoesNotCountIt() throws Exception {
        long before = example.echo().executions();

        HttpResponse<String> response = send(get("/echo?status=abc").header("X-Request-Id", "shape-1"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("shape-1");
        assertThat(JSON.readTree(response.body()).path("detail").asText())
                .isEqualTo("status: abc (expected: an integer in 200..599)");
        assertThat(example.echo().executions()).isEqualTo(before);
    }

    private static HttpRequest.Builder get(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery));
    }

    private static URI uri(String pathAndQuery) {
        return example.uri().resolve(pathAndQuery);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
