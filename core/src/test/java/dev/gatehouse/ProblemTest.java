package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemTest {

    @Test
    void writesTheStandardMembersAsJson() {
        String json = new String(Problem.of(404, "No such order.").toJson(), StandardCharsets.UTF_8);

        assertThat(json)
                .isEqualTo(
                        "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"No such order.\"}");
    }

    @Test
    void escapesEverythingThatWouldBreakTheDocument() {
        String detail = "quote \" backslash \\ newline \n nul \0 line-separator \u2028";

        String json = new String(Problem.of(400, detail).toJson(), StandardCharsets.UTF_8);

        assertThat(json).contains("quote \\\" backslash \\\\ newline \\n nul \\u0000 line-separator \\u2028");
    }

    @Test
    void writesExtensionsAsNumbersStringsAndLists() {
        Problem problem = Problem.of(429)
                .withType(
                        "https://iana.org/assignments/http-problem-types#quota-exceeded", "Request cannot be satisfied")
                .with("violated-policies", List.of("per-minute"))
                .with("retry-after", 12);

        String json = new String(problem.toJson(), StandardCharsets.UTF_8);

        assertThat(json).contains("\"retry-after\":12,\"violated-policies\":[\"per-minute\"]");
    }

    @Test
    void becomesAProblemJsonResponseThatIsNeverCached() {
        StoredResponse response = Problem.of(401).toResponse(Headers.of("WWW-Authenticate", "Bearer"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().first("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().first("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void refusesExtensionsThatShadowStandardMembers() {
        assertThatThrownBy(() -> Problem.of(400).with("status", 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("extension: status (expected: not a standard member)");
    }
}
