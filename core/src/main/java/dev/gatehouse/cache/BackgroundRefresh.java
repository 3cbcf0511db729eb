package dev.gatehouse.cache;

import dev.gatehouse.Headers;
import java.net.URI;
import java.util.concurrent.CompletionStage;

/**
 * How an {@link HttpCachePolicy} refreshes a response within its {@code stale-while-revalidate} window without
 * making a client wait (RFC 5861 §3): the host sends the request again, off the client's exchange, through the same
 * route and its policies, so that the service sees exactly what a client's request would make it see. The cache
 * asks with {@code Cache-Control: no-cache} and without the client's preconditions; the request's own pass through
 * the cache validates and stores the response.
 *
 * <p>The example gateway sends it to its own listener. A host that cannot send requests to itself leaves this unset:
 * the first request in the window then refreshes the response itself while the others get the stale one.
 */
@FunctionalInterface
public interface BackgroundRefresh {

    /**
     * Sends a GET for {@code target} with {@code headers}, asynchronously; the stage completes when the response has
     * ended, normally or not. Must not block.
     *
     * @param target the request's URI as the client addressed it: scheme, {@code Host}, encoded path and query
     * @param headers the request's fields as the cache saw them, with {@code Cache-Control: no-cache}
     */
    CompletionStage<?> refresh(URI target, Headers headers);
}
