package dev.gatehouse.jaxrs;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.RouteTable;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.jaxrs.internal.ServletPeerAddressFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the request hooks before the resource is even matched; refusals and replays abort the request. */
@PreMatching
final class OffloadRequestFilter implements ContainerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(OffloadFeature.class);

    private final RouteTable routes;
    private final Function<ContainerRequestContext, String> peerAddress;

    OffloadRequestFilter(RouteTable routes, Function<ContainerRequestContext, String> peerAddress) {
        this.routes = routes;
        this.peerAddress = peerAddress;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Exchange exchange;
        try {
            exchange = exchangeOf(request);
        } catch (IllegalArgumentException e) {
            log.warn(
                    "refused {} {}: {}",
                    request.getMethod(),
                    request.getUriInfo().getPath(),
                    e.getMessage());
            request.abortWith(toResponse(HostExchange.MALFORMED_HEADERS));
            return;
        }
        ChainRun run = ChainRun.start(routes, exchange);
        request.setProperty(ExchangeState.PROPERTY, new ExchangeState(run));
        Optional<StoredResponse> answer = run.answer();
        if (answer.isPresent()) {
            request.abortWith(toResponse(answer.get()));
            return;
        }
        exchange.body().ifPresent(body -> request.setEntityStream(body.openStream()));
        for (String name : run.editedRequestHeaders()) {
            replace(request.getHeaders(), name, exchange.requestHeaders().all(name));
        }
        if (exchange.bodyReplaced() && exchange.body().isPresent()) {
            // A policy replaced the body (decompression): its framing is the host's to state.
            replace(
                    request.getHeaders(),
                    "Content-Length",
                    List.of(Integer.toString(exchange.body().get().length())));
            replace(request.getHeaders(), "Transfer-Encoding", List.of());
        }
    }

    /**
     * Replaces every field of {@code name}, in any letter case, with {@code values}. Lists are edited in place
     * where possible: RESTEasy's {@code HttpHeaders} keeps the entries it saw before this filter ran, so a
     * list replaced by a new one would leave the client's values visible to the resource.
     */
    static void replace(MultivaluedMap<String, String> headers, String name, List<String> values) {
        boolean placed = false;
        for (Iterator<Map.Entry<String, List<String>>> entries =
                        headers.entrySet().iterator();
                entries.hasNext(); ) {
            Map.Entry<String, List<String>> entry = entries.next();
            if (!entry.getKey().equalsIgnoreCase(name)) {
                continue;
            }
            entry.getValue().clear();
            if (!placed && !values.isEmpty()) {
                entry.getValue().addAll(values);
                placed = true;
            } else {
                entries.remove();
            }
        }
        if (!placed && !values.isEmpty()) {
            headers.put(name, new ArrayList<>(values));
        }
    }

    private Exchange exchangeOf(ContainerRequestContext request) {
        Headers headers = Headers.create();
        request.getHeaders().forEach((name, values) -> values.forEach(value -> headers.add(name, value)));
        URI uri = request.getUriInfo().getRequestUri();
        String path = request.getUriInfo().getPath(true);
        return HostExchange.builder(request.getMethod(), path.startsWith("/") ? path : "/" + path)
                .query(uri.getRawQuery())
                .scheme(uri.getScheme() == null ? "http" : uri.getScheme())
                .headers(headers)
                .peerAddress(peerAddress.apply(request))
                .clientCertificates(ServletPeerAddressFilter.clientCertificates(request))
                .body(request::getEntityStream)
                .build();
    }

    static Response toResponse(StoredResponse stored) {
        Response.ResponseBuilder response = Response.status(stored.status());
        stored.headers().forEach(response::header);
        if (stored.bodyLength() > 0) {
            response.entity(stored.body());
        }
        return response.build();
    }
}
