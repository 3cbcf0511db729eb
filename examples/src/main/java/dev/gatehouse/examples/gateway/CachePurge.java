package dev.gatehouse.examples.gateway;

import dev.gatehouse.cache.HttpCacheStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/cache/purge?key=…} or {@code ?prefix=…} on the admin port: removes the cached responses of
 * one URI ({@code http://host/path?query}, as the cache keys them) or of every URI that starts with the prefix, and
 * answers {@code {"purged": n}}. Anything else is a 4xx problem, logged.
 */
final class CachePurge {
    static final String PATH = "/admin/cache/purge";
    private static final Logger LOG = LoggerFactory.getLogger(CachePurge.class);

    private final Supplier<HttpCacheStore> store;

    /** Purges whichever store {@code store} names at the time: a reload may have replaced it. */
    CachePurge(Supplier<HttpCacheStore> store) {
        this.store = store;
    }

    void handle(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("POST")) {
            LOG.info("cache purge refused: method {} (expected: POST)", request.getMethod());
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            Problems.write(response, callback, 405, "Purge with POST.", null);
            return;
        }
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        String key = query.getValue("key");
        String prefix = query.getValue("prefix");
        if ((key == null) == (prefix == null) || (key != null ? key : prefix).isEmpty()) {
            LOG.info("cache purge refused: expected exactly one non-empty key or prefix parameter");
            Problems.write(response, callback, 400, "Give exactly one of key or prefix, not empty.", null);
            return;
        }
        HttpCacheStore current = store.get();
        int purged = key != null ? (current.remove(key) ? 1 : 0) : current.removeByPrefix(prefix);
        LOG.info(
                "cache purge of {} {}: {} keys removed",
                key != null ? "key" : "prefix",
                key != null ? key : prefix,
                purged);
        byte[] body = ("{\"purged\":" + purged + "}").getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
