package dev.gatehouse.examples.gateway;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.HttpField;

/**
 * Jetty's {@link ProxyServlet} with the hygiene a gateway needs on top: forwarding headers a client sent are
 * dropped (the gateway's peer is the client, so {@code X-Forwarded-*}, {@code Forwarded} and {@code Via} are
 * written by the gateway alone), headers the backend names in {@code Connection} never reach the client, the
 * upstream is chosen by route with round-robin, and each route has its own timeout.
 */
final class GatewayProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> FORWARDING =
            Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via");

    private final List<GatewayRoute> routes;
    private final AtomicLong next = new AtomicLong();
    private final long connectTimeoutMillis;

    GatewayProxyServlet(List<GatewayRoute> routes, long connectTimeoutMillis) {
        this.routes = routes.stream()
                .sorted(Comparator.comparingInt(
                                (GatewayRoute route) -> route.prefix().length())
                        .reversed())
                .toList();
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    private GatewayRoute route(HttpServletRequest request) {
        String path = request.getRequestURI();
        for (GatewayRoute route : routes) {
            if (route.matches(path)) {
                return route;
            }
        }
        return null;
    }

    @Override
    protected String rewriteTarget(HttpServletRequest request) {
        GatewayRoute route = route(request);
        if (route == null) {
            return null;
        }
        URI upstream = route.upstreams().get((int)
                Math.floorMod(next.getAndIncrement(), route.upstreams().size()));
        String query = request.getQueryString();
        String base = upstream.toString().endsWith("/")
                ? upstream.toString().substring(0, upstream.toString().length() - 1)
                : upstream.toString();
        return base + request.getRequestURI() + (query == null ? "" : "?" + query);
    }

    @Override
    protected void onProxyRewriteFailed(
            HttpServletRequest clientRequest, jakarta.servlet.http.HttpServletResponse response) {
        try {
            byte[] body =
                    dev.gatehouse.Problem.of(404, "No route for this path.").toJson();
            response.setStatus(404);
            response.setContentType(dev.gatehouse.Problem.MEDIA_TYPE);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        } catch (java.io.IOException e) {
            _log.debug("could not answer 404", e);
        }
    }

    /** A malformed request body (bad chunking) is the client's fault: 400, not Jetty's 502. */
    @Override
    protected int proxyResponseStatus(Throwable failure) {
        Integer client = clientFault(failure);
        return client != null ? client : super.proxyResponseStatus(failure);
    }

    @Override
    protected int clientRequestStatus(Throwable failure) {
        Integer client = clientFault(failure);
        return client != null ? client : super.clientRequestStatus(failure);
    }

    private static Integer clientFault(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Jetty's parser reports bad chunking and early EOF of the client's body as HttpExceptions (400).
            if (cause instanceof org.eclipse.jetty.http.HttpException http
                    && http.getCode() >= 400
                    && http.getCode() < 500) {
                return http.getCode();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    @Override
    protected HttpClient createHttpClient() throws jakarta.servlet.ServletException {
        HttpClient client = super.createHttpClient();
        client.setConnectTimeout(connectTimeoutMillis);
        return client;
    }

    /** The route's timeout, set last: Jetty sets the servlet-wide one while it builds the request. */
    @Override
    protected void sendProxyRequest(
            HttpServletRequest clientRequest,
            jakarta.servlet.http.HttpServletResponse proxyResponse,
            Request proxyRequest) {
        GatewayRoute route = route(clientRequest);
        if (route != null) {
            proxyRequest.timeout(route.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        super.sendProxyRequest(clientRequest, proxyResponse, proxyRequest);
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        super.copyRequestHeaders(clientRequest, proxyRequest);
        proxyRequest.headers(headers -> FORWARDING.forEach(headers::remove));
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        addViaHeader(clientRequest, proxyRequest);
        addForwardedHeader(clientRequest, proxyRequest);
        // HTTP/2 has no Host field, only the :authority the request URL is built from.
        String host = clientRequest.getHeader("Host") != null
                ? clientRequest.getHeader("Host")
                : URI.create(clientRequest.getRequestURL().toString()).getRawAuthority();
        proxyRequest.headers(headers -> {
            headers.put("X-Forwarded-For", clientRequest.getRemoteAddr());
            headers.put("X-Forwarded-Proto", clientRequest.getScheme());
            if (host != null) {
                headers.put("X-Forwarded-Host", host);
            }
        });
    }

    @Override
    protected void onServerResponseHeaders(
            HttpServletRequest clientRequest,
            jakarta.servlet.http.HttpServletResponse proxyResponse,
            Response serverResponse) {
        Set<String> named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (HttpField field : serverResponse.getHeaders()) {
            if (field.getLowerCaseName().equals("connection")) {
                for (String token : field.getValue().split(",")) {
                    named.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        super.onServerResponseHeaders(clientRequest, proxyResponse, serverResponse);
        for (String name : named) {
            if (!name.isEmpty() && proxyResponse.containsHeader(name)) {
                proxyResponse.setHeader(name, null);
            }
        }
    }
}
