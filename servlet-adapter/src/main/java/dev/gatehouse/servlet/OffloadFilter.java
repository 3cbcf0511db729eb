package dev.gatehouse.servlet;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.host.ChainRun;
import dev.gatehouse.host.HostExchange;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Gatehouse {@link RouteTable} (or one {@link PolicyChain}) in front of the servlets of an
 * application. Register it with {@link #register(ServletContext, RouteTable)} while the context starts, from a
 * {@code ServletContainerInitializer} (or a {@code ServletContextListener} the application declares):
 *
 * <pre>{@code
 * ServletContainerInitializer gatehouse = (types, servletContext) -> OffloadFilter.register(servletContext, routes);
 * tomcatContext.addServletContainerInitializer(gatehouse, null);                        // Tomcat
 * deploymentInfo.addServletContainerInitializer(new ServletContainerInitializerInfo(    // Undertow
 *         ServletContainerInitializer.class, new ImmediateInstanceFactory<>(gatehouse), Set.of()));
 * servletContextHandler.addServletContainerInitializer(gatehouse);                      // Jetty
 * }</pre>
 *
 * <p>That maps it to {@code /*}, ahead of the application's own filters, for the {@code REQUEST} and {@code
 * ASYNC} dispatcher types, and marks it async-supported. Registered any other way, it must be both: an async
 * servlet behind a filter that is not async-supported cannot start async processing (a 500), and the filter then
 * logs what to change. Defaults differ: by the Servlet specification a filter is not async-supported unless
 * declared so ({@code web.xml}, Undertow's {@code FilterInfo}); a Jetty {@code FilterHolder} built in code and a
 * Tomcat 11 {@code FilterDef} are.
 *
 * <p>The filter only translates: headers that policies set or remove are overlaid on the request the
 * servlet sees; refusals and replays are written here and the servlet is never called; the response head
 * goes through the policies just before it is committed (after the servlet's buffer fills, on flush, on
 * {@code sendError} or {@code sendRedirect}, or at the end) and the body through their transforms. With
 * async servlets, {@code AsyncContext.complete()} finishes the transforms before the container completes
 * the response. The exchange's path is the servlet path plus path info, decoded and normalized by the
 * container.
 */
public final class OffloadFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(OffloadFilter.class);
    /** The request attribute in which a servlet container gives the client's verified certificate chain. */
    static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    static final String STATE = OffloadFilter.class.getName() + ".response";

    /** The name {@link #register(ServletContext, RouteTable)} registers the filter under. */
    public static final String NAME = "gatehouse";

    private final RouteTable routes;
    private final boolean errorPages;

    private OffloadFilter(RouteTable routes, boolean errorPages) {
        this.routes = requireNonNull(routes, "routes");
        this.errorPages = errorPages;
    }

    public static OffloadFilter of(RouteTable routes) {
        return new OffloadFilter(routes, false);
    }

    /**
     * A filter that leaves a failure the service throws before committing to the container's error handling (an
     * error page; Spring Boot's {@code /error}) instead of answering its own 500 problem. The error page then runs
     * as the rest of the exchange: map the filter for the {@code ERROR} dispatcher type too, and its head passes
     * through the policies (request id, compression) and the run completes with the failure (access log). Register
     * {@link #errorPageCompletion()} as well: when the container has no error page for the failure, it completes the
     * run at the end of the request (the container's own report then goes out without the policies' headers).
     */
    public static OffloadFilter withErrorPages(RouteTable routes) {
        return new OffloadFilter(routes, true);
    }

    /**
     * Completes, at the end of a request, an exchange whose failure {@link #withErrorPages(RouteTable)} left to the
     * container when no error page answered it, so that every exchange is logged and releases what it holds (an
     * idempotency key's lock).
     */
    public static ServletRequestListener errorPageCompletion() {
        return new ServletRequestListener() {
            @Override
            public void requestDestroyed(ServletRequestEvent event) {
                if (event.getServletRequest().getAttribute(STATE) instanceof OffloadResponse failed) {
                    failed.completeUnanswered();
                }
            }
        };
    }

    public static OffloadFilter of(PolicyChain chain) {
        return new OffloadFilter(RouteTable.of(chain), false);
    }

    /**
     * Registers a filter for {@code routes} in {@code context} under the name {@value #NAME}: async-supported,
     * mapped to {@code /*} for the {@code REQUEST} and {@code ASYNC} dispatcher types, ahead of the filters the
     * application declares. Call it while the context starts (from a {@code ServletContainerInitializer} or a
     * declared {@code ServletContextListener}); the registration is returned for further settings.
     *
     * @throws IllegalStateException if the context has started, or has a filter named {@value #NAME} already
     */
    public static FilterRegistration.Dynamic register(ServletContext context, RouteTable routes) {
        requireNonNull(context, "context");
        OffloadFilter filter = of(routes);
        FilterRegistration.Dynamic registration = context.addFilter(NAME, filter);
        if (registration == null) {
            throw new IllegalStateException(
                    "filter name: " + NAME + " (expected: no filter of that name yet; register OffloadFilter once)");
        }
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
        return registration;
    }

    /** Registers a filter for one chain that every request goes through; see {@link #register(ServletContext, RouteTable)}. */
    public static FilterRegistration.Dynamic register(ServletContext context, PolicyChain chain) {
        return register(context, RouteTable.of(chain));
    }

    /**
     * The exchange this filter runs for {@code request}, for a servlet behind the filter that has something to
     * add to it — a note in its {@link dev.gatehouse.DecisionLog}, say; empty when no policy chain runs for it.
     */
    public static Optional<Exchange> exchange(ServletRequest request) {
        return request.getAttribute(STATE) instanceof OffloadResponse response
                ? Optional.of(response.run().exchange())
                : Optional.empty();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain next)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest clientRequest)
                || !(response instanceof HttpServletResponse clientResponse)) {
            next.doFilter(request, response);
            return;
        }
        if (request.getDispatcherType() == DispatcherType.ASYNC
                && request.getAttribute(STATE) instanceof OffloadResponse resumed) {
            proceed(clientRequest, resumed, next, false);
            return;
        }
        if (request.getDispatcherType() == DispatcherType.ERROR
                && request.getAttribute(STATE) instanceof OffloadResponse failed
                && failed.takeErrorPage()) {
            proceed(clientRequest, failed, next, false);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST) {
            next.doFilter(request, response);
            return;
        }
        Exchange exchange;
        try {
            exchange = exchangeOf(clientRequest);
        } catch (IllegalArgumentException e) {
            log.warn("refused {} {}: {}", clientRequest.getMethod(), clientRequest.getRequestURI(), e.getMessage());
            writeDirectly(clientResponse, HostExchange.MALFORMED_HEADERS);
            return;
        }
        ChainRun run = ChainRun.start(routes, exchange);
        OffloadResponse offloadResponse = new OffloadResponse(clientResponse, run);
        Optional<StoredResponse> answer = run.answer();
        if (answer.isPresent()) {
            offloadResponse.writeAnswer(answer.get());
            offloadResponse.finish();
            run.onComplete(offloadResponse.getStatus(), Optional.empty());
            return;
        }
        request.setAttribute(STATE, offloadResponse);
        OffloadRequest offloadRequest = new OffloadRequest(clientRequest, offloadResponse, run);
        proceed(offloadRequest, offloadResponse, next, errorPages);
    }

    /**
     * Calls the servlet; also for an async dispatch of a running exchange, which it finishes if it ends it.
     * A servlet that throws before committing gets a 500 problem+json that still passes through the policies (or,
     * with {@code toErrorPage}, the container's error page in the {@code ERROR} dispatch); once committed, or with
     * async processing under way, the failure goes on to the container.
     */
    private static void proceed(
            HttpServletRequest request, OffloadResponse response, FilterChain next, boolean toErrorPage)
            throws IOException, ServletException {
        try {
            next.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            if (e instanceof Error || response.isCommitted() || request.isAsyncStarted()) {
                response.fail(e);
                throw e;
            }
            if (toErrorPage) {
                response.awaitErrorPage(e);
                throw e;
            }
            log.error("{} {} failed in the service; answered 500", request.getMethod(), request.getRequestURI(), e);
            response.answerFailure(e);
            return;
        }
        if (!request.isAsyncStarted()) {
            response.complete();
        }
    }

    static Exchange exchangeOf(HttpServletRequest request) {
        Headers headers = Headers.create();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                headers.add(name, values.nextElement());
            }
        }
        String pathInfo = request.getPathInfo();
        String path = pathInfo == null ? request.getServletPath() : request.getServletPath() + pathInfo;
        return HostExchange.builder(request.getMethod(), path.isEmpty() ? "/" : path)
                .query(request.getQueryString())
                .scheme(request.getScheme())
                .headers(headers)
                .peerAddress(request.getRemoteAddr())
                .clientCertificates(
                        request.getAttribute(CLIENT_CERTIFICATES) instanceof X509Certificate[] chain ? chain : null)
                .body(request::getInputStream)
                .build();
    }

    private static void writeDirectly(HttpServletResponse response, StoredResponse answer) throws IOException {
        response.setStatus(answer.status());
        answer.headers().forEach(response::addHeader);
        response.setContentLength(answer.bodyLength());
        answer.writeBodyTo(response.getOutputStream());
    }

    @Override
    public String toString() {
        return "OffloadFilter[" + routes + (errorPages ? ", error pages" : "") + "]";
    }
}
