package dev.gatehouse.cache;

import dev.gatehouse.Headers;

/**
 * An unsafe request answered 2xx or 3xx (RFC 9111 §4.4): the stored responses of its URI go, and those of the URIs
 * in its {@code Location} and {@code Content-Location} when they are on the same origin.
 */
final class Invalidation {
    private Invalidation() {}

    static void of(HttpCacheStore store, String key, Headers response) {
        store.remove(key);
        int pathStart = key.indexOf('/', key.indexOf("://") + 3);
        String origin = pathStart < 0 ? key : key.substring(0, pathStart);
        for (String field : new String[] {"Location", "Content-Location"}) {
            response.first(field).map(String::trim).ifPresent(uri -> {
                if (uri.startsWith("/") && !uri.startsWith("//")) {
                    store.remove(origin + uri);
                } else if (uri.startsWith(origin + "/")) {
                    store.remove(uri);
                }
            });
        }
    }
}
