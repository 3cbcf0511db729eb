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
        @Nullable String redis,
        @Nullable Auth auth,
        List<RouteConfig> routes) {

    public GatewayConfig {
        routes = routes == null ? List.of() : List.copyOf(routes);
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no routes (expected: at least one under routes:)");
        }
        if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new IllegalArgumentException("redis: expected redis://host:port");
        }
    }

    public Listen listenOrDefault() {
        return listen == null ? new Listen(null, null, null, null, null) : listen;
    }

    /**
     * Where the gateway listens: HTTP/1.1 and h2c on {@code port} (127.0.0.1:8080 by default), and with {@code
     * tlsPort} also HTTPS with HTTP/2, from a PKCS#12 {@code keystore} (or, without one, a generated self-signed
     * certificate — for trying things out only).
     */
    public record Listen(
            @Nullable String host,
            @Nullable Integer port,
            @Nullable Integer tlsPort,
            @Nullable String keystore,
            @Nullable String keystorePassword) {
        public Listen {
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 8080 : port;
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

    /** One route: a path prefix, its upstreams and its policies. */
    public record RouteConfig(
            String path,
            List<String> upstreams,
            @Nullable String timeout,
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
                        && !upstream.startsWith("builtin:")) {
                    throw new IllegalArgumentException(
                            "upstream " + upstream + " (expected: http://…, https://… or builtin:echo)");
                }
            }
            upstreams = List.copyOf(upstreams);
            auth = auth == null ? "none" : auth;
            if (!List.of("none", "optional", "required").contains(auth)) {
                throw new IllegalArgumentException("auth " + auth + " (expected: none, optional or required)");
            }
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            if (timeout != null) {
                duration(timeout);
            }
        }

        public Duration timeoutOrDefault() {
            return timeout == null ? Duration.ofSeconds(30) : duration(timeout);
        }
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
