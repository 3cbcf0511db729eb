package dev.gatehouse.cors;

import static dev.gatehouse.internal.Checks.checkArgument;
import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.FieldSyntax;
import dev.gatehouse.internal.NameSet;
import dev.gatehouse.internal.Printable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The CORS protocol of the Fetch standard for one route: answers preflights, and tells browsers which origins
 * may read the responses.
 *
 * <ul>
 *   <li>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) from an
 *       allowed origin, for an allowed method and headers, is answered 204 here: the service is not called. It
 *       carries no credentials, so the policy is {@link Placement#BEFORE_GUARDS}: the chain runs it before
 *       authentication, rate limits and idempotency whatever order they were added in, and a JWT route answers
 *       the preflight instead of refusing it with 401.
 *   <li>Any other request from an allowed origin goes on; its response, and every refusal by a later policy
 *       (401, 429), gets {@code Access-Control-Allow-Origin} with that origin, {@code -Allow-Credentials} when
 *       configured and {@code -Expose-Headers}: {@code X-Request-Id}, {@code RateLimit}, {@code
 *       RateLimit-Policy}, {@code Retry-After} and the configured names.
 *   <li>A disallowed origin, method or header gets no CORS field at all (the browser then blocks) and a reason in
 *       the decision log; a refused preflight is 403 and never reaches the service.
 *   <li>A WebSocket handshake (a GET with {@code Upgrade: websocket}) from a disallowed origin is 403 and never
 *       reaches the service: browsers open WebSockets to any origin without CORS, so the origin check is the
 *       server's (RFC 6455 §10.2). A handshake without {@code Origin} (no browser) goes on.
 *   <li>Unless every origin is allowed, every response says {@code Vary: Origin}, with or without an {@code
 *       Origin}, so that caches keep the answers for different origins apart.
 * </ul>
 *
 * <p>Allowing every origin together with credentials would let any site act as the user: {@link Builder#build()}
 * refuses it.
 */
public final class CorsPolicy implements OffloadPolicy {
    private static final AttributeKey<String> ORIGIN = AttributeKey.of("gatehouse.cors.origin", String.class);
    private static final List<String> EXPOSED = List.of("X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After");
    private static final List<String> SAFELISTED_HEADERS =
            List.of("accept", "accept-language", "content-language", "content-type");

    private final AllowedOrigins origins;
    private final Set<String> methods;
    private final String allowMethods;
    private final NameSet headers;
    private final boolean anyHeader;
    private final boolean credentials;
    private final Duration maxAge;
    /** {@code Access-Control-Allow-Credentials} when configured and {@code -Expose-Headers}: added as one copy. */
    private final Headers allowedResponseFields;

    private CorsPolicy(Builder builder, AllowedOrigins origins) {
        this.origins = origins;
        this.methods = Set.copyOf(builder.methods);
        this.allowMethods = String.join(", ", builder.methods);
        this.headers = new NameSet();
        this.headers.addAll(SAFELISTED_HEADERS);
        this.headers.addAll(builder.headers);
        this.anyHeader = builder.anyHeader;
        this.credentials = builder.credentials;
        this.maxAge = builder.maxAge;
        Headers fields = Headers.create();
        if (credentials) {
            fields.add("Access-Control-Allow-Credentials", "true");
        }
        this.allowedResponseFields = fields.add("Access-Control-Expose-Headers", String.join(", ", builder.exposed))
                .immutableCopy();
    }

    /** Allows these origins and patterns ({@code https://*.example.com}) to read GET, HEAD and POST responses. */
    public static CorsPolicy allowing(String... origins) {
        return builder().allowOrigins(origins).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        Headers request = exchange.requestHeaders();
        Optional<String> sent = request.first("Origin");
        if (sent.isEmpty()) {
            return Decision.proceed();
        }
        String origin = sent.get();
        boolean preflight = exchange.method().equals("OPTIONS") && request.contains("Access-Control-Request-Method");
        if (request.count("Origin") != 1 || !origins.allows(origin)) {
            String reason = "origin " + Printable.of(origin, 100) + " not allowed";
            return isWebSocketHandshake(exchange) ? refuseWebSocket(reason) : refuse(preflight, reason);
        }
        if (!preflight) {
            exchange.setAttribute(ORIGIN, origin);
            return Decision.proceed();
        }
        String method = request.first("Access-Control-Request-Method").orElseThrow();
        if (!methods.contains(method)) {
            return refuse(true, "method " + Printable.of(method, 40) + " not allowed for " + origin);
        }
        List<String> asked = new ArrayList<>();
        for (String field : request.all("Access-Control-Request-Headers")) {
            for (String name : field.split(",")) {
                String trimmed = name.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty() && (!isToken(trimmed) || !anyHeader && !headers.contains(trimmed))) {
                    return refuse(true, "header " + Printable.of(trimmed, 60) + " not allowed for " + origin);
                }
                if (!trimmed.isEmpty() && !asked.contains(trimmed)) {
                    asked.add(trimmed);
                }
            }
        }
        Headers answer = allowOrigin(Headers.create(), origin).add("Access-Control-Allow-Methods", allowMethods);
        if (!asked.isEmpty()) {
            answer.add("Access-Control-Allow-Headers", String.join(", ", asked));
        }
        if (maxAge != null) {
            answer.add("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
        }
        answer.add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        return Decision.replay(StoredResponse.of(204, answer, new byte[0]))
                .because("preflight " + method + " from " + origin);
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (!FieldSyntax.isTokenChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A GET asking to upgrade to WebSocket, which browsers send cross-origin without asking CORS first. */
    private static boolean isWebSocketHandshake(Exchange exchange) {
        if (!exchange.method().equals("GET")) {
            return false;
        }
        for (String field : exchange.requestHeaders().all("Upgrade")) {
            for (String protocol : field.split(",")) {
                if (protocol.trim().equalsIgnoreCase("websocket")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Decision refuseWebSocket(String reason) {
        return Decision.reject(Problem.of(403, "The WebSocket origin was refused."), Headers.of("Vary", "Origin"))
                .because("websocket refused: " + reason);
    }

    private Decision refuse(boolean preflight, String reason) {
        if (!preflight) {
            return Decision.proceed().because(reason);
        }
        return Decision.reject(Problem.of(403, "The CORS preflight was refused."), Headers.of("Vary", "Origin"))
                .because("preflight refused: " + reason);
    }

    private Headers allowOrigin(Headers fields, String origin) {
        fields.set("Access-Control-Allow-Origin", origins.isAny() ? "*" : origin);
        if (credentials) {
            fields.set("Access-Control-Allow-Credentials", "true");
        }
        return fields;
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        if (!origins.isAny()) {
            response.addVary("Origin");
        }
        Optional<String> origin = exchange.attribute(ORIGIN);
        if (origin.isPresent()) {
            Headers headers = response.headers();
            headers.set("Access-Control-Allow-Origin", origins.isAny() ? "*" : origin.get());
            if (headers.contains("Access-Control-Allow-Credentials")
                    || headers.contains("Access-Control-Expose-Headers")) {
                headers.remove("Access-Control-Allow-Credentials");
                headers.remove("Access-Control-Expose-Headers");
            }
            headers.addAll(allowedResponseFields);
        } else {
            // The policy owns CORS on its route: an upstream that reflects any Origin (many frameworks do) must not
            // grant what the policy did not, a credentialed read from an origin the operator left out, say.
            removeCorsFields(response.headers());
        }
    }

    /** Removes every {@code Access-Control-*} field: what the service said about CORS does not count here. */
    private static void removeCorsFields(Headers headers) {
        List<String> named = null;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (name.regionMatches(true, 0, "Access-Control-", 0, 15)) {
                named = named == null ? new ArrayList<>() : named;
                named.add(name);
            }
        }
        if (named != null) {
            // Removed by name once collected: a removal takes every field of that name, wherever it is.
            named.forEach(headers::remove);
        }
    }

    @Override
    public Placement placement() {
        return Placement.BEFORE_GUARDS;
    }

    @Override
    public String name() {
        return "cors";
    }

    @Override
    public String toString() {
        return "CorsPolicy[origins=" + origins + ", methods=" + methods + ", credentials=" + credentials + "]";
    }

    /** Builds a {@link CorsPolicy}: at least one origin; GET, HEAD and POST unless methods are given. */
    public static final class Builder {
        private final List<String> origins = new ArrayList<>();
        private boolean anyOrigin;
        private final Set<String> methods = new LinkedHashSet<>(List.of("GET", "HEAD", "POST"));
        private boolean methodsSet;
        private final List<String> headers = new ArrayList<>();
        private boolean anyHeader;
        private boolean credentials;
        private Duration maxAge;
        private final Set<String> exposed = new LinkedHashSet<>(EXPOSED);

        private Builder() {}

        /**
         * Allows serialized origins ({@code https://app.example.com}, {@code http://localhost:8080}) and patterns
         * where {@code *} is one whole DNS label or the port ({@code https://*.example.com}, {@code
         * http://localhost:*}); lower case, as browsers send them.
         */
        public Builder allowOrigins(String... origins) {
            for (String origin : origins) {
                requireNonNull(origin, "origin");
                checkArgument(!origin.equals("*"), "origin: * (expected: allowAnyOrigin() for every origin)");
                checkArgument(
                        !origin.equals("null"), "origin: null (expected: a real origin; sandboxed pages send null)");
                this.origins.add(origin);
            }
            return this;
        }

        /** Allows every origin ({@code Access-Control-Allow-Origin: *}); refused together with credentials. */
        public Builder allowAnyOrigin() {
            this.anyOrigin = true;
            return this;
        }

        /** The methods a preflight may ask for, replacing the default GET, HEAD, POST; compared exactly. */
        public Builder allowMethods(String... methods) {
            if (!methodsSet) {
                this.methods.clear();
                methodsSet = true;
            }
            for (String method : methods) {
                this.methods.add(Headers.checkName(method));
            }
            return this;
        }

        /**
         * Request headers a preflight may ask for (any letter case), besides {@code Accept}, {@code
         * Accept-Language}, {@code Content-Language} and {@code Content-Type}; name {@code Authorization} to let
         * scripts send bearer tokens.
         */
        public Builder allowHeaders(String... headers) {
            for (String header : headers) {
                this.headers.add(Headers.checkName(header));
            }
            return this;
        }

        /** Lets a preflight ask for any request header; the answer lists exactly what was asked. */
        public Builder allowAnyHeader() {
            this.anyHeader = true;
            return this;
        }

        /** Lets pages send cookies and HTTP authentication ({@code Access-Control-Allow-Credentials: true}). */
        public Builder allowCredentials() {
            this.credentials = true;
            return this;
        }

        /** How long a browser may cache a preflight's answer; the browser's own default (5 s) unless set. */
        public Builder maxAge(Duration maxAge) {
            requireNonNull(maxAge, "maxAge");
            checkArgument(!maxAge.isNegative(), "maxAge: %s (expected: >= 0)", maxAge);
            this.maxAge = maxAge;
            return this;
        }

        /** Response headers scripts may read, besides X-Request-Id, RateLimit, RateLimit-Policy and Retry-After. */
        public Builder exposeHeaders(String... headers) {
            for (String header : headers) {
                exposed.add(Headers.checkName(header));
            }
            return this;
        }

        public CorsPolicy build() {
            checkState(
                    anyOrigin || !origins.isEmpty(), "origins: none (expected: allowOrigins(...) or allowAnyOrigin())");
            checkState(
                    !(anyOrigin && credentials),
                    "allowAnyOrigin() with allowCredentials() (expected: listed origins; any site could act as the user)");
            checkState(
                    !(anyOrigin && !origins.isEmpty()),
                    "origins: %s with allowAnyOrigin() (expected: one or the other)",
                    origins);
            checkState(!methods.isEmpty(), "methods: none (expected: at least one)");
            return new CorsPolicy(this, anyOrigin ? AllowedOrigins.any() : AllowedOrigins.of(origins));
        }
    }
}
