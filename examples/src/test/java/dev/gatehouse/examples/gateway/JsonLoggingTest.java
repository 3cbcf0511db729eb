package dev.gatehouse.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.Decision;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The gateway's JSON logging configuration turns an access-log event into one object with its fields as members. */
class JsonLoggingTest {
    /** A line of the text layout the other tests log with: {@code 2026-12-06T10:10:56.565Z INFO  logger - …}. */
    private static final java.util.regex.Pattern TEXT_LAYOUT_LINE =
            java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\S+ (TRACE|DEBUG|INFO|WARN|ERROR) +\\S+ - ");

    @Test
    void theAccessLogEventIsOneJsonObjectWithItsFieldsAsMembers() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(getClass().getResource("/logback-json.xml"));
            PolicyChain chain = PolicyChain.builder()
                    .add("request-id", RequestIdPolicy.ofDefaults())
                    .add("access-log", AccessLogPolicy.of(context.getLogger("dev.gatehouse.access")))
                    .add("auth", exchange -> Decision.reject(401, "Log in.").because("no credential"))
                    .build();

            FakeHost.serve(
                    chain,
                    FakeExchange.get("/api/orders")
                            .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                            .header("Authorization", "Bearer secret-token"),
                    exchange -> FakeResponse.ok("{}"));
            context.stop();
        } finally {
            System.setOut(original);
        }

        // The tests' own logging (the text layout, batched by a writer thread) may flush earlier tests' lines into
        // System.out while it is captured here: those lines are not this configuration's and are set aside.
        String[] lines = captured.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(line ->
                        !line.isBlank() && !TEXT_LAYOUT_LINE.matcher(line).lookingAt())
                .toArray(String[]::new);
        assertThat(lines).as(String.join("\n", lines)).hasSize(1);
        JsonNode event = new ObjectMapper().readTree(lines[0]);
        assertThat(event.path("logger_name").asText()).as(lines[0]).isEqualTo("dev.gatehouse.access");
        assertThat(event.path("path").asText()).isEqualTo("/api/orders");
        assertThat(event.path("status").asInt()).isEqualTo(401);
        assertThat(event.path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(event.path("span_id").asText()).matches("[0-9a-f]{16}");
        assertThat(event.path("decisions").asText()).isEqualTo("auth:reject(no credential)");
        assertThat(lines[0]).doesNotContain("secret-token");
    }
}
