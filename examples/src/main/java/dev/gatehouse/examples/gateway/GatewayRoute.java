package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.PolicyChain;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * One route of the gateway: requests whose path starts with {@code prefix} — and, when given, whose host is
 * {@code host} and whose headers carry {@code headers} — pass {@code chain}, then go to one of {@code
 * upstreams} with the path unchanged unless the route strips its prefix or rewrites it.
 *
 * @param prefix the path prefix ({@code /api} matches {@code /api} and {@code /api/...}, not {@code /apis})
 * @param host the host name the request must name (without port, case-insensitive); {@code *.example.com}
 *     matches any sub-domain; null for any host
 * @param headers header values the request must carry, exactly; the value {@code *} only asks for the header
 * @param upstreams base URLs, chosen round-robin among those passive health has not ejected
 * @param chain the policies
 * @param timeout bounds each silence of the upstream, before its response head (504 past it) and between pieces of
 *     the body: a stream that keeps coming is never cut
 * @param retries how many other upstreams a failed idempotent request without a body may be sent to, when
 *     no response had begun (connection refused or reset; never after a timeout)
 * @param maxBodyBytes requests with a longer body get 413 (before any upstream is called when the length is
 *     declared; as soon as the limit is crossed when chunked)
 * @param requestBufferBytes request bodies up to this size are read whole, and checked (framing, limit),
 *     before any upstream is called, so a malformed body never reaches one; longer bodies stream, and a body
 *     that turns out malformed aborts the upstream request (0 streams every body)
 * @param health passive health: when an upstream is ejected
 * @param circuitBreaker the route's circuit breaker, or null for none
 * @param stripPrefix whether the prefix is removed from the path sent upstream ({@code /api/orders/7} on {@code
 *     /api} goes as {@code /orders/7}; {@code /api} alone as {@code /}); the query is kept as it is
 * @param rewrite a regular-expression rewrite of the path sent upstream (after the strip), or null for none
 * @param weights each upstream's share, in their order (1 each when empty): smooth weighted round-robin over the
 *     healthy upstreams, as nginx does
 * @param pin the header or cookie whose value picks the upstream consistently, or null for none
 * @param websocket how WebSocket upgrades are relayed on this route, or null: {@code Upgrade} is then removed as
 *     hop-by-hop and no request upgrades
 * @param activeHealth the probe each upstream gets, or null for passive health alone
 */
public record GatewayRoute(
        String prefix,
        @Nullable String host,
        Map<String, String> headers,
        List<URI> upstreams,
        PolicyChain chain,
        Duration timeout,
        int retries,
        long maxBodyBytes,
        long requestBufferBytes,
        PassiveHealth health,
        @Nullable CircuitBreakerSettings circuitBreaker,
        boolean stripPrefix,
        @Nullable Rewrite rewrite,
        List<Integer> weights,
        @Nullable Pin pin,
        @Nullable WebSocket websocket,
        @Nullable ActiveHealth activeHealth,
        Set<String> methods) {

    /** 10 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;

    /** 1 MiB. */
    public static final long DEFAULT_REQUEST_BUFFER_BYTES = 1024 * 1024;

    public GatewayRoute {
        requireNonNull(prefix, "prefix");
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: starts with /)");
        }
        if (host != null && (host.isEmpty() || host.contains(":") || host.contains("/"))) {
            throw new IllegalArgumentException("host: " + host + " (expected: a host name without port)");
        }
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
        Map<String, String> names = new java.util.TreeMap<>();
        headers.forEach((name, value) -> names.put(name.toLowerCase(Locale.ROOT), requireNonNull(value, name)));
        headers = java.util.Collections.unmodifiableMap(names);
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("upstreams of " + prefix + ": none (expected: at least one)");
        }
        for (URI upstream : upstreams) {
            checkUpstream(upstream);
        }
        requireNonNull(chain, "chain");
        requireNonNull(timeout, "timeout");
        if (retries < 0) {
            throw new IllegalArgumentException("retries: " + retries + " (expected: 0 or more)");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: 0 or more)");
        }
        if (requestBufferBytes < 0 || requestBufferBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "requestBufferBytes: " + requestBufferBytes + " (expected: 0 .. 2 GiB; 0 streams every body)");
        }
        requireNonNull(health, "health");
        weights = weights.isEmpty() ? java.util.Collections.nCopies(upstreams.size(), 1) : List.copyOf(weights);
        if (weights.size() != upstreams.size()) {
            throw new IllegalArgumentException(
                    "weights: " + weights + " (expected: one per upstream, " + upstreams.size() + ")");
        }
        for (int weight : weights) {
            if (weight < 1) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: an integer, 1 or more)");
            }
        }
        java.util.TreeSet<String> allowed = new java.util.TreeSet<>();
        for (String method : requireNonNull(methods, "methods")) {
            allowed.add(checkMethod(method));
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD"); // a resource that answers GET answers HEAD (RFC 9110 §9.3.2)
        }
        methods = java.util.Collections.unmodifiableSet(allowed);
    }

    /** {@code method} when it is an HTTP method token (RFC 9110 §9.1; case matters). */
    static String checkMethod(String method) {
        if (method == null || method.isEmpty() || !method.chars().allMatch(GatewayRoute::isTokenChar)) {
            throw new IllegalArgumentException("method " + method + " (expected: an HTTP method, e.g. GET)");
        }
        if (method.chars().anyMatch(c -> c >= 'a' && c <= 'z')) {
            // The gateway refuses requests whose method is not upper case: such a route could never match.
            throw new IllegalArgumentException("method " + method + " (expected: upper case, e.g. GET)");
        }
        return method;
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /**
     * Whether the route takes {@code method}: any, unless it names its methods. A CORS preflight is matched by the
     * method it asks about ({@code requested}), so that the route's own CORS policy answers it.
     */
    boolean matchesMethod(String method, @Nullable String requested) {
        if (methods.isEmpty()) {
            return true;
        }
        return methods.contains(method.equals("OPTIONS") && requested != null ? requested : method);
    }

    /** A route on {@code prefix} for any host, no retries, 10 MiB bodies, default passive health, no breaker. */
    public GatewayRoute(String prefix, List<URI> upstreams, PolicyChain chain, Duration timeout) {
        this(
                prefix,
                null,
                Map.of(),
                upstreams,
                chain,
                timeout,
                0,
                DEFAULT_MAX_BODY_BYTES,
                DEFAULT_REQUEST_BUFFER_BYTES,
                PassiveHealth.DEFAULT,
                null,
                false,
                null,
                List.of(),
                null,
                null,
                null,
                Set.of());
    }

    public GatewayRoute withHost(@Nullable String host) {
        return with(copy -> copy.host = host);
    }

    public GatewayRoute withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, requireNonNull(value, "value"));
        return with(copy -> copy.headers = more);
    }

    public GatewayRoute withRetries(int retries) {
        return with(copy -> copy.retries = retries);
    }

    public GatewayRoute withMaxBodyBytes(long maxBodyBytes) {
        return with(copy -> copy.maxBodyBytes = maxBodyBytes);
    }

    public GatewayRoute withRequestBuffer(long requestBufferBytes) {
        return with(copy -> copy.requestBufferBytes = requestBufferBytes);
    }

    public GatewayRoute withHealth(PassiveHealth health) {
        return with(copy -> copy.health = health);
    }

    public GatewayRoute withCircuitBreaker(@Nullable CircuitBreakerSettings circuitBreaker) {
        return with(copy -> copy.circuitBreaker = circuitBreaker);
    }

    /** With the prefix removed from the path before it goes upstream ({@code /api} alone becomes {@code /}). */
    public GatewayRoute withStripPrefix(boolean stripPrefix) {
        return with(copy -> copy.stripPrefix = stripPrefix);
    }

    /** With {@code rewrite} applied to the path (after any prefix strip); null for none. */
    public GatewayRoute withRewrite(@Nullable Rewrite rewrite) {
        return with(copy -> copy.rewrite = rewrite);
    }

    /** With a weight per upstream, in their order (an empty list: 1 each). */
    public GatewayRoute withWeights(List<Integer> weights) {
        return with(copy -> copy.weights = weights);
    }

    /** With requests pinned to an upstream by a header or cookie value; null for none. */
    public GatewayRoute withPin(@Nullable Pin pin) {
        return with(copy -> copy.pin = pin);
    }

    /** With WebSocket upgrades relayed under {@code websocket}'s limits; null for none. */
    public GatewayRoute withWebSocket(@Nullable WebSocket websocket) {
        return with(copy -> copy.websocket = websocket);
    }

    /** With each upstream probed as {@code activeHealth} says; null for passive health alone. */
    /** The methods the route takes (any when empty; HEAD comes with GET); others go to the next route, or 405. */
    public GatewayRoute withMethods(Set<String> methods) {
        return with(copy -> copy.methods = methods);
    }

    public GatewayRoute withActiveHealth(@Nullable ActiveHealth activeHealth) {
        return with(copy -> copy.activeHealth = activeHealth);
    }

    /** A copy of this route with {@code change} applied: what every {@code with…} method does. */
    private GatewayRoute with(java.util.function.Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The route's fields, changeable while a {@code with…} method builds the next route. */
    private static final class Copy {
        String prefix;

        @Nullable
        String host;

        Map<String, String> headers;
        List<URI> upstreams;
        PolicyChain chain;
        Duration timeout;
        int retries;
        long maxBodyBytes;
        long requestBufferBytes;
        PassiveHealth health;

        @Nullable
        CircuitBreakerSettings circuitBreaker;

        boolean stripPrefix;

        @Nullable
        Rewrite rewrite;

        List<Integer> weights;

        @Nullable
        Pin pin;

        @Nullable
        WebSocket websocket;

        @Nullable
        ActiveHealth activeHealth;

        Set<String> methods;

        Copy(GatewayRoute route) {
            prefix = route.prefix;
            host = route.host;
            headers = route.headers;
            upstreams = route.upstreams;
            chain = route.chain;
            timeout = route.timeout;
            retries = route.retries;
            maxBodyBytes = route.maxBodyBytes;
            requestBufferBytes = route.requestBufferBytes;
            health = route.health;
            circuitBreaker = route.circuitBreaker;
            stripPrefix = route.stripPrefix;
            rewrite = route.rewrite;
            weights = route.weights;
            pin = route.pin;
            websocket = route.websocket;
            activeHealth = route.activeHealth;
            methods = route.methods;
        }

        GatewayRoute build() {
            return new GatewayRoute(
                    prefix,
                    host,
                    headers,
                    upstreams,
                    chain,
                    timeout,
                    retries,
                    maxBodyBytes,
                    requestBufferBytes,
                    health,
                    circuitBreaker,
                    stripPrefix,
                    rewrite,
                    weights,
                    pin,
                    websocket,
                    activeHealth,
                    methods);
        }
    }

    /**
     * Passive health: an upstream whose last {@code failures} calls all failed is ejected for {@code ejectFor};
     * one probe request then decides whether it comes back.
     */
    public record PassiveHealth(int failures, Duration ejectFor) {
        /** 5 consecutive failures eject an upstream for 30 s. */
        public static final PassiveHealth DEFAULT = new PassiveHealth(5, Duration.ofSeconds(30));

        public PassiveHealth {
            if (failures < 1) {
                throw new IllegalArgumentException("failures: " + failures + " (expected: 1 or more)");
            }
            if (ejectFor == null || ejectFor.isNegative() || ejectFor.isZero()) {
                throw new IllegalArgumentException("ejectFor: " + ejectFor + " (expected: a positive duration)");
            }
        }
    }

    /**
     * WebSocket on a route: an upgrade request passes the route's policies, then the gateway opens a WebSocket to
     * the upstream and relays frames both ways until either side closes. A connection with no frame in either
     * direction for {@code idleTimeout} is closed on both sides with 1001 (going away); one open for {@code
     * maxLifetime} is closed on both sides with 1008 (policy violation).
     */
    public record WebSocket(Duration idleTimeout, Duration maxLifetime) {
        /** 5 minutes idle, 24 hours at most. */
        public static final WebSocket DEFAULT = new WebSocket(Duration.ofMinutes(5), Duration.ofHours(24));

        public WebSocket {
            positive("idleTimeout", idleTimeout);
            positive("maxLifetime", maxLifetime);
        }
    }

    /**
     * Active health: every {@code interval}, each upstream gets {@code GET path}, answered within {@code timeout}.
     * {@code unhealthyThreshold} failed probes in a row (no connection, timeout, or a status outside 200..399)
     * eject it; {@code healthyThreshold} good probes in a row readmit it. Passive health goes on beside it: an
     * upstream takes requests only while both let it.
     */
    public record ActiveHealth(
            String path, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold) {
        /** {@code /health} every 10 s, 2 s to answer, 2 good probes to readmit, 3 bad ones to eject. */
        public static final ActiveHealth DEFAULT =
                new ActiveHealth("/health", Duration.ofSeconds(10), Duration.ofSeconds(2), 2, 3);

        public ActiveHealth {
            requireNonNull(path, "path");
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new IllegalArgumentException("path: " + path + " (expected: a path starting with /, no spaces)");
            }
            positive("interval", interval);
            positive("timeout", timeout);
            if (healthyThreshold < 1) {
                throw new IllegalArgumentException("healthyThreshold: " + healthyThreshold + " (expected: 1 or more)");
            }
            if (unhealthyThreshold < 1) {
                throw new IllegalArgumentException(
                        "unhealthyThreshold: " + unhealthyThreshold + " (expected: 1 or more)");
            }
        }
    }

    private static void positive(String name, @Nullable Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: a positive duration)");
        }
    }

    /**
     * The route's circuit breaker: open for {@code openFor} (answering 503 without calling any upstream) once
     * {@code failureRate} % of the last {@code window} requests failed.
     */
    public record CircuitBreakerSettings(int failureRate, int window, Duration openFor) {
        public CircuitBreakerSettings {
            if (failureRate < 1 || failureRate > 100) {
                throw new IllegalArgumentException("failureRate: " + failureRate + " (expected: 1..100)");
            }
            if (window < 1) {
                throw new IllegalArgumentException("window: " + window + " (expected: 1 or more)");
            }
            if (openFor == null || openFor.isNegative() || openFor.isZero()) {
                throw new IllegalArgumentException("openFor: " + openFor + " (expected: a positive duration)");
            }
        }
    }

    /**
     * A path rewrite: every match of {@code from} (a Java regular expression, on the raw path) is replaced by
     * {@code to}, where {@code $1} names a group. A result that leaves the upstream's authority is refused at
     * request time with 400 (see {@link UpstreamPath}).
     */
    public record Rewrite(Pattern from, String to) {
        public Rewrite {
            requireNonNull(from, "from");
            requireNonNull(to, "to");
            // The same groups, and a match that always happens (the empty alternative), so that the replacement is
            // parsed now: a group it names that does not exist, or a stray $ or \, is refused when loaded.
            Pattern probe = Pattern.compile("(?:" + from.pattern() + ")|", from.flags());
            try {
                probe.matcher("").replaceFirst(to);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("to: " + to + " (expected: a replacement, $n up to $"
                        + from.matcher("").groupCount() + "; " + e.getMessage() + ")");
            }
        }

        /** From a regular expression's text; a bad one is an {@link IllegalArgumentException} naming it. */
        public static Rewrite of(String from, String to) {
            requireNonNull(from, "from");
            try {
                return new Rewrite(Pattern.compile(from), to);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("from: " + from + " (expected: a Java regular expression; "
                        + e.getDescription() + " near index " + e.getIndex() + ")");
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Rewrite that && from.pattern().equals(that.from.pattern()) && to.equals(that.to);
        }

        @Override
        public int hashCode() {
            return from.pattern().hashCode() * 31 + to.hashCode();
        }

        @Override
        public String toString() {
            return "Rewrite[from=" + from.pattern() + ", to=" + to + "]";
        }
    }

    /**
     * Pinning: requests that carry the {@code header} (or the {@code cookie}) go to the upstream the value hashes
     * to among the healthy ones, weights respected; the same value always picks the same upstream while it stays
     * healthy. Requests without the value are balanced as usual. Exactly one of the two is given.
     */
    public record Pin(@Nullable String header, @Nullable String cookie) {
        public Pin {
            if ((header == null) == (cookie == null)) {
                throw new IllegalArgumentException(
                        "pin: header " + header + ", cookie " + cookie + " (expected: exactly one of header, cookie)");
            }
            if ((header != null && header.isBlank()) || (cookie != null && cookie.isBlank())) {
                throw new IllegalArgumentException("pin: blank name (expected: a header or cookie name)");
            }
        }

        public static Pin header(String name) {
            return new Pin(requireNonNull(name, "name"), null);
        }

        public static Pin cookie(String name) {
            return new Pin(null, requireNonNull(name, "name"));
        }
    }

    /** Whether {@code path} belongs to this route: the prefix itself, or below it. */
    boolean matchesPath(String path) {
        return prefix.equals("/")
                || path.equals(prefix)
                || (path.startsWith(prefix) && (prefix.endsWith("/") || path.charAt(prefix.length()) == '/'));
    }

    /**
     * Path, host and headers.
     *
     * @param serverName the host the request names (without port), or null
     * @param header a header's first value by name, or null
     */
    boolean matches(String path, @Nullable String serverName, Function<String, @Nullable String> header) {
        if (!matchesPath(path)) {
            return false;
        }
        if (host != null) {
            if (serverName == null) {
                return false;
            }
            String name = serverName.toLowerCase(Locale.ROOT);
            if (name.endsWith(".")) {
                // "internal.example.com." is the same DNS name, fully qualified: it must not slip past the route.
                name = name.substring(0, name.length() - 1);
            }
            boolean hostMatches = host.startsWith("*.")
                    ? name.endsWith(host.substring(1)) && name.length() > host.length() - 1
                    : name.equals(host);
            if (!hostMatches) {
                return false;
            }
        }
        for (Map.Entry<String, String> expected : headers.entrySet()) {
            String value = header.apply(expected.getKey());
            if (value == null
                    || !(expected.getValue().equals("*") || expected.getValue().equals(value))) {
                return false;
            }
        }
        return true;
    }

    /** How specific the match is: longer prefixes first, then routes with more conditions (methods count as one). */
    int specificity() {
        return prefix.length() * 128
                + (host == null ? 0 : 64)
                + Math.min(headers.size(), 31)
                + (methods.isEmpty() ? 0 : 32);
    }

    /** A short name for logs, metrics and the status page: {@code /api host=api.example.com x-tenant=a}. */
    String describe() {
        StringBuilder text = new StringBuilder(prefix);
        if (host != null) {
            text.append(" host=").append(host);
        }
        headers.forEach(
                (name, value) -> text.append(' ').append(name).append('=').append(value));
        if (!methods.isEmpty()) {
            text.append(" methods=").append(String.join(",", methods));
        }
        return text.toString();
    }

    /** Refuses an upstream URL that is not http or https, or that has no host a request could go to. */
    static void checkUpstream(URI upstream) {
        if (!"http".equals(upstream.getScheme()) && !"https".equals(upstream.getScheme())) {
            throw new IllegalArgumentException("upstream " + upstream + " (expected: an http or https URL)");
        }
        if (upstream.getHost() == null) {
            // java.net.URI leaves the host out, rather than failing, for a name it cannot parse (an underscore, an
            // internationalized name): every request to it would fail.
            throw new IllegalArgumentException("upstream " + upstream + " has no host the URL syntax accepts"
                    + " (expected: a DNS name in ASCII letters, digits and hyphens, or an IP address)");
        }
        if (upstream.getPort() > 65_535) {
            throw new IllegalArgumentException(
                    "upstream " + upstream + ": port " + upstream.getPort() + " (expected: 1 to 65535)");
        }
        // The client's path and query are appended to the upstream's text: a query or fragment would swallow
        // them, and credentials in the URL are never sent (and would be shown on the admin port).
        if (upstream.getRawUserInfo() != null) {
            throw new IllegalArgumentException("upstream " + upstream.getScheme() + "://…@" + upstream.getHost()
                    + " has credentials (expected: none in the URL; set the upstream's Authorization with"
                    + " headerTransforms)");
        }
        if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream " + upstream
                    + " has a query or fragment (expected: scheme, host, port and at most a base path)");
        }
    }
}
