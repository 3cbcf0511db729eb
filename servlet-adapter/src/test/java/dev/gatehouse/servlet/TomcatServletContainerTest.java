package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("tomcat")
class TomcatServletContainerTest extends ServletContainerCases {
    @Override
    ServletHost host(FilterSetup filter) {
        return new TomcatServletHost(filter);
    }

    /** Tomcat 11's {@code FilterDef} is async-supported unless declared otherwise. */
    @Override
    boolean asyncWorksBehind(FilterSetup filter) {
        return filter == FilterSetup.NATIVE;
    }

    /** Calls Servlet 6.1's {@code sendRedirect} forms, which the tests, compiled against 6.0, cannot name. */
    static final class Servlet61Redirects extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getOutputStream().write("kept".getBytes(StandardCharsets.US_ASCII));
            String form = request.getParameter("form");
            try {
                switch (form) {
                    case "status" ->
                        HttpServletResponse.class
                                .getMethod("sendRedirect", String.class, int.class)
                                .invoke(response, "/text", 301);
                    case "keep-body" ->
                        HttpServletResponse.class
                                .getMethod("sendRedirect", String.class, boolean.class)
                                .invoke(response, "/text", false);
                    default ->
                        HttpServletResponse.class
                                .getMethod("sendRedirect", String.class, int.class, boolean.class)
                                .invoke(response, "/text", 307, true);
                }
            } catch (InvocationTargetException e) {
                throw new IOException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Opens the writer for UTF-8, then asks for another charset through Servlet 6.1's {@code Charset} form. */
    static final class Servlet61CharsetAfterWriter extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=utf-8");
            PrintWriter writer = response.getWriter();
            try {
                ServletResponse.class
                        .getMethod("setCharacterEncoding", Charset.class)
                        .invoke(response, StandardCharsets.ISO_8859_1);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            writer.write("café");
        }
    }

    @Test
    void servlet61CharsetChangesAfterTheWriterOpenedAreIgnoredAsTheStringFormIs() throws Exception {
        try (Running container = new Running(FilterSetup.REGISTER, new Servlet61CharsetAfterWriter())) {
            HttpResponse<byte[]> response = container.send("GET", "/text");

            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).isEqualToIgnoringCase("text/plain;charset=utf-8"));
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("café");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"status, 301, ''", "keep-body, 302, kept", "all, 307, ''"})
    void servlet61RedirectsGoThroughThePolicies(String form, int status, String body) throws Exception {
        try (Running container = new Running(FilterSetup.REGISTER, new Servlet61Redirects())) {
            HttpResponse<byte[]> response = container.send("GET", "/text?form=" + form);

            assertThat(response.statusCode()).isEqualTo(status);
            assertThat(response.headers().firstValue("Location")).hasValue("/text");
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
            if (!body.isEmpty()) {
                assertThat(new String(response.body(), StandardCharsets.US_ASCII))
                        .isEqualTo(body);
            }
        }
    }
}
