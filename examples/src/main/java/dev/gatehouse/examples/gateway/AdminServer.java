package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.cache.HttpCacheStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's admin port, separate from the traffic port: {@code /metrics} (Prometheus text format, from the
 * Micrometer registry the chains record into), {@code /admin/status} (JSON: routes, upstreams, stores) and, with
 * cached routes, {@code POST /admin/cache/purge?key=…|prefix=…} ({@link CachePurge}). Bind it
 * to loopback or a management network only.
 */
public final class AdminServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;
    private volatile @Nullable CachePurge cachePurge;

    public AdminServer(String host, int port, PrometheusMeterRegistry registry, Supplier<Map<String, Object>> status) {
        server = new Server();
        server.setErrorHandler(new ProblemErrorHandler());
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                if (path.equals("/metrics")) {
                    write(
                            response,
                            callback,
                            "text/plain; version=0.0.4; charset=utf-8",
                            registry.scrape().getBytes(StandardCharsets.UTF_8));
                    return true;
                }
                CachePurge purge = cachePurge;
                if (path.equals(CachePurge.PATH) && purge != null) {
                    purge.handle(request, response, callback);
                    return true;
                }
                if (path.equals("/admin/status")) {
                    write(response, callback, "application/json", JSON.writeValueAsBytes(status.get()));
                    return true;
                }
                return false;
            }
        });
    }

    private static void write(Response response, Callback callback, String type, byte[] body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** Answers {@code POST /admin/cache/purge?key=…|prefix=…} from {@code cache}. */
    public AdminServer purging(HttpCacheStore cache) {
        this.cachePurge = new CachePurge(cache);
        return this;
    }

    public AdminServer start() throws Exception {
        server.start();
        return this;
    }

    public URI uri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    public void stop() throws Exception {
        server.stop();
    }
}
