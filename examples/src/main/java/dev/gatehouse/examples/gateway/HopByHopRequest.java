package dev.gatehouse.examples.gateway;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The client's request without its {@code Connection} field and the fields that field names (RFC 9110
 * §7.6.1). The gateway removes them before any policy runs, so a client's {@code Connection: close,
 * X-User-Id} can never remove a header that a policy sets later; the proxy then has nothing left to remove.
 */
final class HopByHopRequest extends HttpServletRequestWrapper {
    private final Set<String> hidden;

    private HopByHopRequest(HttpServletRequest request, Set<String> hidden) {
        super(request);
        this.hidden = hidden;
    }

    /** {@code request} itself when it has no {@code Connection} field (HTTP/2 never has one). */
    static HttpServletRequest of(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders("Connection");
        if (values == null || !values.hasMoreElements()) {
            return request;
        }
        Set<String> hidden = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        hidden.add("Connection");
        while (values.hasMoreElements()) {
            for (String token : values.nextElement().split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    hidden.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        return new HopByHopRequest(request, hidden);
    }

    @Override
    public @Nullable String getHeader(String name) {
        return hidden.contains(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return hidden.contains(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = new ArrayList<>();
        for (Enumeration<String> all = super.getHeaderNames(); all.hasMoreElements(); ) {
            String name = all.nextElement();
            if (!hidden.contains(name)) {
                names.add(name);
            }
        }
        return Collections.enumeration(names);
    }

    @Override
    public long getDateHeader(String name) {
        return hidden.contains(name) ? -1 : super.getDateHeader(name);
    }

    @Override
    public int getIntHeader(String name) {
        return hidden.contains(name) ? -1 : super.getIntHeader(name);
    }
}
