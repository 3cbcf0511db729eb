package dev.gatehouse.config;

import dev.gatehouse.cors.CorsPolicy;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * CORS for a route ({@link CorsPolicy}): preflights answered 204 before authentication, and the origins whose
 * pages may read the responses.
 *
 * @param allowOrigins origins ({@code https://app.example.com}) and patterns ({@code https://*.example.com},
 *     {@code http://localhost:*}); {@code *} alone for every origin (refused with {@code allowCredentials})
 * @param allowMethods methods a preflight may ask for; GET, HEAD and POST when unset
 * @param allowHeaders request headers a preflight may ask for ({@code Authorization}), besides the safelisted
 *     ones; {@code *} alone for any
 * @param exposeHeaders response headers scripts may read, besides X-Request-Id, RateLimit, RateLimit-Policy and
 *     Retry-After
 * @param allowCredentials lets pages send cookies and HTTP authentication; {@code false} when unset
 * @param maxAge how long a browser may cache a preflight's answer ({@code 10m}); the browser's default when unset
 */
public record CorsConfig(
        @Nullable List<String> allowOrigins,
        @Nullable List<String> allowMethods,
        @Nullable List<String> allowHeaders,
        @Nullable List<String> exposeHeaders,
        @Nullable Boolean allowCredentials,
        @Nullable String maxAge) {
    public CorsConfig {
        allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
        allowMethods = allowMethods == null ? null : List.copyOf(allowMethods);
        allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
        exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
        allowCredentials = allowCredentials != null && allowCredentials;
        policy(allowOrigins, allowMethods, allowHeaders, exposeHeaders, allowCredentials, maxAge);
    }

    /** The policy these settings describe. */
    public CorsPolicy policy() {
        return policy(allowOrigins, allowMethods, allowHeaders, exposeHeaders, allowCredentials, maxAge);
    }

    private static CorsPolicy policy(
            @Nullable List<String> origins,
            @Nullable List<String> methods,
            @Nullable List<String> headers,
            @Nullable List<String> exposed,
            @Nullable Boolean credentials,
            @Nullable String maxAge) {
        CorsPolicy.Builder builder = CorsPolicy.builder();
        anyOrListed(origins, builder::allowAnyOrigin, builder::allowOrigins);
        if (methods != null) {
            builder.allowMethods(methods.toArray(String[]::new));
        }
        anyOrListed(headers, builder::allowAnyHeader, builder::allowHeaders);
        if (exposed != null) {
            builder.exposeHeaders(exposed.toArray(String[]::new));
        }
        if (Boolean.TRUE.equals(credentials)) {
            builder.allowCredentials();
        }
        if (maxAge != null) {
            builder.maxAge(ConfigValues.duration(maxAge));
        }
        return Policies.built(builder::build);
    }

    /** {@code [*]} allows any; otherwise the values listed. */
    private static void anyOrListed(
            @Nullable List<String> values, Runnable any, java.util.function.Consumer<String[]> listed) {
        if (List.of("*").equals(values)) {
            any.run();
        } else if (values != null) {
            listed.accept(values.toArray(String[]::new));
        }
    }
}
