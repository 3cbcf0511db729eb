package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's YAML configuration (see {@code examples/gateway.example.yaml} for every key, commented).
 * Loading refuses unknown keys and bad values with the file, line, column and key path of the problem.
 */
public record GatewayConfig(
        @Nullable Listen listen,
        @Nullable Admin admin,
        @Nullable String redis,
        @Nullable Auth auth,
        List<RouteConfig> routes,
        List<AggregationConfig> aggregations) {

    public GatewayConfig {
        routes = routes == null ? List.of() : List.copyOf(routes);
        aggregations = aggregations == null ? List.of() : List.copyOf(aggregations);
        if (routes.isEmpty() && aggregations.isEmpty()) {
            throw new IllegalArgumentException("no routes (expected: at least one under routes: or aggregations:)");
        }
        if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new IllegalArgumentException("redis: expected redis://host:port");
        }
    }

    public Listen listenOrDefault() {
        return listen == null ? new Listen(null, null, null, null, null, null) : listen;
    }

    /**
     * Where the gateway listens: HTTP/1.1 and h2c on {@code port} (127.0.0.1:8080 by default), and with {@code
     * tlsPort} also HTTPS with HTTP/2, from a PKCS#12 {@code keystore} (or, without one, a generated self-signed
     * certificate — for trying things out only). On SIGTERM the gateway stops accepting and gives requests in
     * flight {@code shutdownGrace} (30s by default) to finish.
     */
    public record Listen(
            @Nullable String host,
            @Nullable Integer port,
            @Nullable Integer tlsPort,
            @Nullable String keystore,
            @Nullable String keystorePassword,
            @Nullable String shutdownGrace) {
        public Listen {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 8080 : port;
            shutdownGrace = shutdownGrace == null ? "30s" : shutdownGrace;
            duration(shutdownGrace);
            for (Integer p : new Integer[] {port, tlsPort}) {
                if (p != null && (p < 0 || p > 65535)) {
                    throw new IllegalArgumentException("port " + p + " (expected: 0..65535)");
                }
            }
            if (keystore != null && (tlsPort == null || keystorePassword == null)) {
                throw new IllegalArgumentException("keystore needs tlsPort and keystorePassword");
            }
        }
    }

    /**
     * The admin port: {@code /metrics} (Prometheus) and {@code /admin/status}. Bind it to loopback or a
     * management network only.
     */
    public record Admin(@Nullable String host, @Nullable Integer port) {
        public Admin {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 9090 : port;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " (expected: 0..65535)");
            }
        }
    }

    /** Credentials the gateway accepts. */
    public record Auth(@Nullable Jwt jwt, @Nullable List<ApiKey> apiKeys) {
        public Auth {
            apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        }
    }

    /** JWT issuers and the audiences accepted. */
    public record Jwt(
            List<Issuer> issuers,
            List<String> audiences,
            @Nullable String leeway) {
        public Jwt {
            if (issuers == null || issuers.isEmpty()) {
                throw new IllegalArgumentException("no issuers (expected: at least one)");
            }
            if (audiences == null || audiences.isEmpty()) {
                throw new IllegalArgumentException("no audiences (expected: at least one)");
            }
            issuers = List.copyOf(issuers);
            audiences = List.copyOf(audiences);
            if (leeway != null) {
                duration(leeway);
            }
        }
    }

    /** One issuer: its keys from a JWKS URL, an HS256 secret (base64) or a PEM public key. */
    public record Issuer(
            String issuer,
            @Nullable String jwks,
            @JsonProperty("hs256Secret") @Nullable String hs256Secret,
            @Nullable String publicKeyPem,
            @Nullable String alg) {
        public Issuer {
            if (issuer == null || issuer.isEmpty()) {
                throw new IllegalArgumentException("issuer missing (expected: the exact iss value)");
            }
            int sources = (jwks == null ? 0 : 1) + (hs256Secret == null ? 0 : 1) + (publicKeyPem == null ? 0 : 1);
            if (sources != 1) {
                throw new IllegalArgumentException(
                        "issuer " + issuer + ": give exactly one of jwks, hs256Secret, publicKeyPem");
            }
        }
    }

    /** An API key, by the SHA-256 of the key (never the key itself). */
    public record ApiKey(
            String sha256,
            String owner,
            String plan,
            @Nullable List<String> scopes) {
        public ApiKey {
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
        }
    }

    /**
     * One route: which requests (path prefix, and optionally host and header values), where they go
     * (upstreams, timeout, retries, passive health, circuit breaker, body limit) and the policies they pass.
     */
    public record RouteConfig(
            String path,
            @Nullable String host,
            @Nullable Map<String, String> headers,
            List<String> upstreams,
            @Nullable String timeout,
            @Nullable Integer retries,
            @Nullable String maxBodySize,
            @Nullable String requestBuffer,
            @Nullable PassiveHealth passiveHealth,
            @Nullable CircuitBreaker circuitBreaker,
            @Nullable String auth,
            @Nullable List<String> scopes,
            @Nullable RateLimit rateLimit,
            @Nullable Boolean compression,
            @Nullable Boolean idempotency) {
        public RouteConfig {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: a prefix starting with /)");
            }
            if (upstreams == null || upstreams.isEmpty()) {
                throw new IllegalArgumentException("route " + path + ": no upstreams");
            }
            for (String upstream : upstreams) {
                if (!upstream.startsWith("http://")
                        && !upstream.startsWith("https://")
                        && !upstream.equals("builtin:echo")) {
                    throw new IllegalArgumentException(
                            "upstream " + upstream + " (expected: http://…, https://… or builtin:echo)");
                }
            }
            upstreams = List.copyOf(upstreams);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            auth = checkAuth(auth);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (timeout != null) {
                duration(timeout);
            }
            if (retries != null && retries < 0) {
                throw new IllegalArgumentException("retries " + retries + " (expected: 0 or more)");
            }
            if (maxBodySize != null) {
                size(maxBodySize);
            }
            if (requestBuffer != null && size(requestBuffer) > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("requestBuffer " + requestBuffer + " (expected: at most 2GiB)");
            }
        }

        public Duration timeoutOrDefault() {
            return timeout == null ? Duration.ofSeconds(30) : duration(timeout);
        }

        public long maxBodyBytes() {
            return maxBodySize == null ? GatewayRoute.DEFAULT_MAX_BODY_BYTES : size(maxBodySize);
        }

        public long requestBufferBytes() {
            return requestBuffer == null ? GatewayRoute.DEFAULT_REQUEST_BUFFER_BYTES : size(requestBuffer);
        }
    }

    /** An upstream whose last {@code failures} calls all failed is ejected for {@code ejectFor}. */
    public record PassiveHealth(int failures, String ejectFor) {
        public PassiveHealth {
            if (failures < 1) {
                throw new IllegalArgumentException("failures " + failures + " (expected: 1 or more)");
            }
            if (ejectFor == null) {
                throw new IllegalArgumentException("ejectFor missing (expected: e.g. 30s)");
            }
            duration(ejectFor);
        }

        GatewayRoute.PassiveHealth toSettings() {
            return new GatewayRoute.PassiveHealth(failures, duration(ejectFor));
        }
    }

    /** The route stops calling its upstreams for {@code openFor} once {@code failureRate} % of the last {@code window} failed. */
    public record CircuitBreaker(int failureRate, int window, String openFor) {
        public CircuitBreaker {
            if (openFor == null) {
                throw new IllegalArgumentException("openFor missing (expected: e.g. 30s)");
            }
            new GatewayRoute.CircuitBreakerSettings(failureRate, window, duration(openFor));
        }

        GatewayRoute.CircuitBreakerSettings toSettings() {
            return new GatewayRoute.CircuitBreakerSettings(failureRate, window, duration(openFor));
        }
    }

    /**
     * An aggregation route at exactly {@code path}: calls every part in parallel (each bounded by {@code
     * timeout}) and merges their JSON under the part names; a part that fails or is late is {@code null} and
     * named in {@code X-Gatehouse-Partial}.
     */
    public record AggregationConfig(
            String path,
            Map<String, String> parts,
            @Nullable String timeout,
            @Nullable String auth,
            @Nullable List<String> scopes,
            @Nullable Boolean compression) {
        public AggregationConfig {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path " + path + " (expected: an exact path starting with /)");
            }
            if (parts == null || parts.isEmpty()) {
                throw new IllegalArgumentException("aggregation " + path + ": no parts (expected: name: url)");
            }
            for (String url : parts.values()) {
                if (!url.startsWith("http://") && !url.startsWith("https://") && !url.startsWith("builtin:")) {
                    throw new IllegalArgumentException(
                            "part " + url + " (expected: http://…, https://… or builtin:users, builtin:echo/path…)");
                }
            }
            parts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts));
            auth = checkAuth(auth);
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (timeout != null) {
                duration(timeout);
            }
        }

        public Duration timeoutOrDefault() {
            return timeout == null ? Duration.ofSeconds(2) : duration(timeout);
        }
    }

    private static String checkAuth(@Nullable String auth) {
        String value = auth == null ? "none" : auth;
        if (!List.of("none", "optional", "required").contains(value)) {
            throw new IllegalArgumentException("auth " + value + " (expected: none, optional or required)");
        }
        return value;
    }

    /** Limits per client address or per principal, with optional limits per plan. */
    public record RateLimit(
            @Nullable String key,
            @Nullable Long perSecond,
            @Nullable Long perMinute,
            @Nullable Long perHour,
            @Nullable Map<String, RateLimit> plans) {
        public RateLimit {
            key = key == null ? "address" : key;
            if (!List.of("address", "principal").contains(key)) {
                throw new IllegalArgumentException("key " + key + " (expected: address or principal)");
            }
            if (perSecond == null && perMinute == null && perHour == null) {
                throw new IllegalArgumentException("no limit (expected: perSecond, perMinute or perHour)");
            }
            plans = plans == null ? Map.of() : Map.copyOf(plans);
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String text) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("duration " + text + " (expected: e.g. 500ms, 10s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** {@code 1000} (bytes), {@code 512KiB}, {@code 10MiB}, {@code 1GiB}. */
    static long size(String text) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d{1,12})(|B|KiB|MiB|GiB)").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("size " + text + " (expected: e.g. 1000, 512KiB, 10MiB)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "KiB" -> n * 1024;
            case "MiB" -> n * 1024 * 1024;
            case "GiB" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }

    /** A configuration file that cannot be used, and exactly where and why. */
    public static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** Reads and checks {@code file}. */
    public static GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), text);
    }

    static GatewayConfig parse(String source, String yaml) throws ConfigException {
        try {
            GatewayConfig config = YAML.readValue(yaml, GatewayConfig.class);
            if (config == null) {
                throw new ConfigException(source + ": empty (expected: listen, auth, routes)", null);
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null
                    ? ""
                    : e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", "));
            throw new ConfigException(
                    where(source, e.getLocation()) + path(e) + ": unknown key " + e.getPropertyName() + " (expected: "
                            + known + ")",
                    e);
        } catch (JsonMappingException e) {
            // A misspelt key often shows first as a missing value: name the unknown key when there is one.
            String unknown = unknownKey(source, yaml, e);
            if (unknown != null) {
                throw new ConfigException(unknown, e);
            }
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            String why = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new ConfigException(where(source, e.getLocation()) + path(e) + ": " + why, e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where(source, e.getLocation()) + " not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** The first key under the failing object that its record does not have, with its line; or null. */
    private static @Nullable String unknownKey(String source, String yaml, JsonMappingException e) {
        Class<?> type = GatewayConfig.class;
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                pointer.append('/').append(reference.getFieldName());
                type = componentType(type, reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                pointer.append('/').append(reference.getIndex());
            }
            if (type == null) {
                return null;
            }
        }
        if (!type.isRecord()) {
            return null;
        }
        java.util.Set<String> known = new java.util.TreeSet<>();
        for (java.lang.reflect.RecordComponent component : type.getRecordComponents()) {
            known.add(component.getName());
        }
        try (com.fasterxml.jackson.core.JsonParser parser = YAML.getFactory().createParser(yaml)) {
            for (com.fasterxml.jackson.core.JsonToken token; (token = parser.nextToken()) != null; ) {
                if (token == com.fasterxml.jackson.core.JsonToken.FIELD_NAME
                        && parser.getParsingContext()
                                .getParent()
                                .pathAsPointer()
                                .toString()
                                .equals(pointer.toString())
                        && !known.contains(parser.currentName())) {
                    String key = parser.currentName();
                    String at = pointer.toString().replaceAll("/(\\d+)", "[$1]").replace('/', '.');
                    at = (at.startsWith(".") ? at.substring(1) : at) + (at.isEmpty() ? "" : ".") + key;
                    return where(source, parser.currentTokenLocation()) + " " + at + ": unknown key " + key
                            + " (expected: " + String.join(", ", known) + ")";
                }
            }
        } catch (IOException ignored) {
            // the original error is reported instead
        }
        return null;
    }

    /** The element type behind a record component: the record itself, or what a list or map holds. */
    private static @Nullable Class<?> componentType(Class<?> type, String name) {
        if (!type.isRecord()) {
            return null;
        }
        for (java.lang.reflect.RecordComponent component : type.getRecordComponents()) {
            if (component.getName().equals(name)) {
                java.lang.reflect.Type generic = component.getGenericType();
                if (generic instanceof java.lang.reflect.ParameterizedType parameterized) {
                    java.lang.reflect.Type[] arguments = parameterized.getActualTypeArguments();
                    java.lang.reflect.Type element = arguments[arguments.length - 1];
                    return element instanceof Class<?> elementClass ? elementClass : null;
                }
                return component.getType();
            }
        }
        return null;
    }

    private static String where(String source, @Nullable JsonLocation location) {
        return location == null
                ? source + ":"
                : source + " line " + location.getLineNr() + ", column " + location.getColumnNr() + ":";
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder(" ");
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.length() > 1 ? "." : "").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString().isBlank() ? "" : path.toString();
    }
}
