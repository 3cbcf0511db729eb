package dev.gatehouse.examples.gateway;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Problem;
import dev.gatehouse.StoredResponse;

/**
 * What a proxy answers itself (REQUIREMENTS.md §5): TRACE is refused (405, it would echo credentials back
 * across origins), and so is CONNECT; {@code OPTIONS *} is answered (200 with {@code Allow}), and an OPTIONS request's {@code Max-Forwards} is honoured (RFC 9110 §7.6.2): at 0 ({@code 00}
 * too) the gateway answers it itself, 200 with {@code Allow}; above, it goes on one lower. Other methods' {@code
 * Max-Forwards} is left alone, as the RFC allows.
 */
public final class ProxyHygienePolicy implements OffloadPolicy {
    private static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    @Override
    public Decision onRequest(Exchange exchange) {
        String method = exchange.method();
        if (method.equals("TRACE") || method.equals("CONNECT")) {
            // CONNECT would make a reverse proxy a tunnel to anywhere (and an HTTP/2 extended CONNECT for a
            // WebSocket is not relayed): refused at once, before any body is read.
            return Decision.reject(Problem.of(405, method + " is not allowed."), Headers.of("Allow", ALLOW))
                    .because(method + " refused");
        }
        if (exchange.path().equals("*")) {
            // The asterisk form names the server, not a resource (RFC 9112 §3.2.4): only OPTIONS takes it, and the
            // gateway answers for itself.
            return method.equals("OPTIONS")
                    ? Decision.replay(StoredResponse.of(
                                    200, Headers.of("Allow", ALLOW, "Content-Length", "0"), new byte[0]))
                            .because("OPTIONS * answered by the gateway")
                    : Decision.reject(400, "The request target * is only for OPTIONS.")
                            .because("* target");
        }
        if (method.equals("OPTIONS")) {
            long hops = hops(exchange.requestHeaders().first("Max-Forwards").orElse(null));
            if (hops == 0) {
                return Decision.replay(
                                StoredResponse.of(200, Headers.of("Allow", ALLOW, "Content-Length", "0"), new byte[0]))
                        .because("Max-Forwards: 0 answered by the gateway");
            }
            if (hops > 0) {
                exchange.requestHeaders().set("Max-Forwards", Long.toString(hops - 1));
            }
        }
        return Decision.proceed();
    }

    /** {@code Max-Forwards} as a number (1*DIGIT, capped), or -1 when absent or not a number. */
    private static long hops(@org.jspecify.annotations.Nullable String value) {
        if (value == null) {
            return -1;
        }
        String digits = value.trim();
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    @Override
    public String name() {
        return "proxy-hygiene";
    }
}
