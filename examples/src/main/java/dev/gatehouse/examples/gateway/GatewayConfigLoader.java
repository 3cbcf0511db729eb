package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reads the gateway's YAML into a {@link GatewayConfig}, with {@code ${NAME}} and {@code ${NAME:-default}} in its
 * values taken from the environment. Refuses unknown keys, bad values and unset variables with the file, line,
 * column and key path of the problem, and names a misspelt key even where it first shows as a missing value.
 */
final class GatewayConfigLoader {
    private GatewayConfigLoader() {}

    /** A configuration file that cannot be used, and exactly where and why. */
    public static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            // A key given twice is a mistake, never "the last one wins": a route's "auth: required" followed by
            // "auth: none" would be open, a second "routes:" would drop every route before it.
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    /** Reads and checks {@code file}, with {@code ${NAME}} in its values read from the environment. */
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
        return parse(source, yaml, System::getenv);
    }

    /**
     * Reads and checks {@code yaml}, naming {@code source} in errors; {@code environment} answers {@code ${NAME}} and
     * {@code ${NAME:-default}} in its string values (see {@link EnvironmentSubstitutingParser}).
     */
    static GatewayConfig parse(String source, String yaml, Function<String, @Nullable String> environment)
            throws ConfigException {
        try (JsonParser parser = EnvironmentSubstitutingParser.over(YAML.createParser(yaml), environment)) {
            GatewayConfig config = YAML.readValue(parser, GatewayConfig.class);
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
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot be read (" + e.getMessage() + ")", e);
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
