package dev.gatehouse.examples.bench;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

/**
 * A floor for {@code servlet.sh}: a filter that puts on the wire the same fields as the chain it measures (request
 * id, trace context and user id to the servlet; request id and the two RateLimit fields to the client), with fixed
 * values and no policy at all. What it costs over the plain servlet is the container's and the servlet's work for
 * those fields, which any filter adding them pays.
 */
final class FieldsOnlyFilter implements Filter {
    private static final Map<String, String> REQUEST_FIELDS = Map.of(
            "X-Request-Id", "0af7651916cd43dd8448eb211c80319c",
            "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "X-User-Id", "load-user");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletResponse client = (HttpServletResponse) response;
        client.setHeader("X-Request-Id", "0af7651916cd43dd8448eb211c80319c");
        client.setHeader("RateLimit-Policy", "\"default\";q=1000000000;w=60");
        client.setHeader("RateLimit", "\"default\";r=999999999;t=1");
        chain.doFilter(new WithFields((HttpServletRequest) request), response);
    }

    /** The request with the three fields added. */
    private static final class WithFields extends HttpServletRequestWrapper {
        WithFields(HttpServletRequest request) {
            super(request);
        }

        private static String added(String name) {
            for (Map.Entry<String, String> field : REQUEST_FIELDS.entrySet()) {
                if (field.getKey().equalsIgnoreCase(name)) {
                    return field.getValue();
                }
            }
            return null;
        }

        @Override
        public String getHeader(String name) {
            String added = added(name);
            return added != null ? added : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String added = added(name);
            return added != null ? Collections.enumeration(List.of(added)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(REQUEST_FIELDS.keySet());
            for (Enumeration<String> own = super.getHeaderNames(); own.hasMoreElements(); ) {
                String name = own.nextElement();
                if (added(name) == null) {
                    names.add(name);
                }
            }
            return Collections.enumeration(names);
        }
    }
}
