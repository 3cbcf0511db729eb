package dev.gatehouse.examples.gateway;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Problem;
import dev.gatehouse.StoredResponse;

/**
 * What a proxy answers itself (REQUIREMENTS.md §5): TRACE is refused (405, it would echo credentials back
 * across origins), and a request with {@code Max-Forwards: 0} is answered by the gateway instead of being
 * forwarded when it is an OPTIONS request (RFC 9110 §7.6.2): 200 with {@code Allow}.
 */
public final class ProxyHygienePolicy implements OffloadPolicy {
    private static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    @Override
    public Decision onRequest(Exchange exchange) {
        String method = exchange.method();
        if (method.equals("TRACE")) {
            return Decision.reject(Problem.of(405, "TRACE is not allowed."), Headers.of("Allow", ALLOW))
                    .because("TRACE refused");
        }
        if (exchange.requestHeaders()
                .first("Max-Forwards")
                .map(String::trim)
                .orElse("")
                .equals("0")) {
            if (method.equals("OPTIONS")) {
                return Decision.replay(
                                StoredResponse.of(200, Headers.of("Allow", ALLOW, "Content-Length", "0"), new byte[0]))
                        .because("Max-Forwards: 0 answered by the gateway");
            }
        }
        return Decision.proceed();
    }

    @Override
    public String name() {
        return "proxy-hygiene";
    }
}
