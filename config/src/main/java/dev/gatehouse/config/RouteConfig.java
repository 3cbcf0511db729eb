package dev.gatehouse.config;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One route and the policies its requests pass. {@code path} is a prefix ({@code /api} takes {@code /api} and
 * everything below it, not {@code /apis}) or a pattern of {@link dev.gatehouse.Route} ({@code /users/*}{@code
 * /orders}); {@code methods} limits the route to some methods (all when unset).
 *
 * @param auth {@code none} (the default), {@code optional} (anonymous allowed) or {@code required}
 * @param scopes scopes the principal must all have (403 {@code insufficient_scope} otherwise)
 * @param stripAuthorization removes the client's {@code Authorization} before the service, once the route's
 *     policies have used it
 * @param cors CORS for this route, instead of the top-level {@code cors}
 * @param securityHeaders security response headers for this route, instead of the top-level ones ({@code false}
 *     for none)
 * @param ipRules allowed and denied networks for this route, instead of the top-level {@code ipRules}
 * @param headerTransforms request and response headers added, set and removed, after authentication
 * @param webhook inbound webhook signatures verified (and replays refused) before the service
 * @param cache a shared HTTP cache for the route's GET and HEAD requests, inside compression so that bodies are
 *     stored uncompressed
 */
public record RouteConfig(
        String path,
        @Nullable List<String> methods,
        @Nullable String auth,
        @Nullable List<String> scopes,
        @Nullable RateLimitConfig rateLimit,
        @Nullable CompressionConfig compression,
        @Nullable IdempotencyConfig idempotency,
        @Nullable DecompressionConfig requestDecompression,
        @Nullable Boolean stripAuthorization,
        @Nullable CorsConfig cors,
        @Nullable SecurityHeadersConfig securityHeaders,
        @Nullable IpRulesConfig ipRules,
        @Nullable HeaderTransformsConfig headerTransforms,
        @Nullable WebhookConfig webhook,
        @Nullable CacheConfig cache) {
    private static final List<String> AUTH = List.of("none", "optional", "required");

    public RouteConfig {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path " + path + " (expected: a prefix or pattern starting with /)");
        }
        methods = methods == null
                ? List.of()
                : methods.stream()
                        .map(method -> method.toUpperCase(Locale.ROOT))
                        .toList();
        checkPath(path);
        auth = authOrDefault(auth);
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        checkScopes(auth, scopes);
        stripAuthorization = stripAuthorization != null && stripAuthorization;
        // The pattern and the methods are checked as the route table will read them.
        RouteTable.builder()
                .route(methods.isEmpty() ? "GET" : String.join(",", methods), pattern(path), PolicyChain.empty());
    }

    /** A route's path holds no query or fragment: no request path has one, so the route would never match. */
    public static void checkPath(String path) {
        if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
            throw new IllegalArgumentException("path " + path + " (expected: a path, without a query or fragment)");
        }
    }

    /** Scopes need authentication: without a principal whose scopes could match, every request would be 401. */
    public static void checkScopes(String auth, List<String> scopes) {
        if (!scopes.isEmpty() && auth.equals("none")) {
            throw new IllegalArgumentException(
                    "scopes " + scopes + " without auth (expected: auth: required, or no scopes)");
        }
    }

    /** {@code none} when unset; else {@code none}, {@code optional} or {@code required}, or a refusal naming it. */
    public static String authOrDefault(@Nullable String auth) {
        String value = auth == null ? "none" : auth;
        if (!AUTH.contains(value)) {
            throw new IllegalArgumentException("auth " + value + " (expected: none, optional or required)");
        }
        return value;
    }

    /** A route on {@code path}, for every method, with no policies of its own. */
    public static RouteConfig of(String path) {
        return new RouteConfig(
                path, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    @Override
    public List<String> methods() {
        return methods == null ? List.of() : methods;
    }

    @Override
    public String auth() {
        return auth == null ? "none" : auth;
    }

    @Override
    public List<String> scopes() {
        return scopes == null ? List.of() : scopes;
    }

    @Override
    public Boolean stripAuthorization() {
        return stripAuthorization != null && stripAuthorization;
    }

    /** The route table's pattern: a prefix {@code /api} becomes {@code /api/**}; a pattern stays as it is. */
    public String pattern() {
        return pattern(path);
    }

    /** A name for logs and metrics: the methods, if any, and the path. */
    public String describe() {
        return methods().isEmpty() ? path : String.join(",", methods()) + " " + path;
    }

    private static String pattern(String path) {
        if (path.contains("*")) {
            return path;
        }
        String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return prefix + "/**";
    }

    /** How specific the route is: the longer its literal start, the earlier it is tried. */
    int specificity() {
        int star = path.indexOf('*');
        return (star < 0 ? path.length() : star) * 2 + (methods().isEmpty() ? 0 : 1);
    }
}
