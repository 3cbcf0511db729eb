package dev.gatehouse.examples.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.io.Writer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parser whose string values have environment variables substituted: {@code ${NAME}}, {@code ${NAME:-default}}
 * (the default when {@code NAME} is unset or empty) and <code>$${</code> for a literal <code>${</code>. Only values
 * already parsed change, never keys or structure, so a variable cannot add YAML and every location stays that of the
 * file. A reference that cannot be resolved is a {@link JsonMappingException} at the value's location.
 */
final class EnvironmentSubstitutingParser extends JsonParserDelegate {
    private static final Pattern REFERENCE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", Pattern.DOTALL);
    private static final String EXPECTED =
            " (expected: ${NAME} or ${NAME:-default}, NAME of letters, digits and _ not starting with a digit;"
                    + " $${ for a literal ${)";

    private final Function<String, @Nullable String> environment;
    private @Nullable String raw;
    private String substituted = "";

    private EnvironmentSubstitutingParser(JsonParser parser, Function<String, @Nullable String> environment) {
        super(parser);
        this.environment = environment;
    }

    /** {@code parser} with every string value read through {@code environment}. */
    static JsonParser over(JsonParser parser, Function<String, @Nullable String> environment) {
        return new EnvironmentSubstitutingParser(parser, environment);
    }

    /**
     * {@code value} with every reference replaced by its variable (or default).
     *
     * @throws IllegalArgumentException naming a variable that is unset without a default, or a malformed reference
     */
    static String substitute(String value, Function<String, @Nullable String> environment) {
        if (value.indexOf('$') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            if (value.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (value.startsWith("${", i)) {
                i = resolve(value, i, environment, out);
            } else {
                out.append(value.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    /** Appends what the reference starting at {@code start} stands for; returns the index after it. */
    private static int resolve(
            String value, int start, Function<String, @Nullable String> environment, StringBuilder out) {
        int end = value.indexOf('}', start);
        if (end < 0) {
            throw new IllegalArgumentException("reference " + shown(value, start) + " has no closing }" + EXPECTED);
        }
        Matcher matcher = REFERENCE.matcher(value.substring(start + 2, end));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("reference " + value.substring(start, end + 1) + EXPECTED);
        }
        String name = matcher.group(1);
        String fallback = matcher.group(2);
        if (fallback != null && fallback.contains("${")) {
            throw new IllegalArgumentException(
                    "reference " + shown(value, start) + " nests a reference in its default (expected: plain text)");
        }
        String variable = environment.apply(name);
        if (fallback != null) {
            out.append(variable == null || variable.isEmpty() ? fallback : variable);
        } else if (variable != null) {
            out.append(variable);
        } else {
            throw new IllegalArgumentException(
                    "environment variable " + name + " is not set (write ${" + name + ":-default} for a default)");
        }
        return end + 1;
    }

    /** The value from {@code start}, cut short where it is long. */
    private static String shown(String value, int start) {
        return value.length() - start > 40 ? value.substring(start, start + 40) + "…" : value.substring(start);
    }

    private boolean atString() {
        return currentToken() == JsonToken.VALUE_STRING;
    }

    private String value() throws IOException {
        String text = delegate.getText();
        if (!text.equals(raw)) {
            try {
                substituted = substitute(text, environment);
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(this, e.getMessage());
            }
            raw = text;
        }
        return substituted;
    }

    @Override
    public String getText() throws IOException {
        return atString() ? value() : delegate.getText();
    }

    @Override
    public int getText(Writer writer) throws IOException {
        if (!atString()) {
            return delegate.getText(writer);
        }
        String text = value();
        writer.write(text);
        return text.length();
    }

    @Override
    public boolean hasTextCharacters() {
        return !atString() && delegate.hasTextCharacters();
    }

    @Override
    public char[] getTextCharacters() throws IOException {
        return atString() ? value().toCharArray() : delegate.getTextCharacters();
    }

    @Override
    public int getTextLength() throws IOException {
        return atString() ? value().length() : delegate.getTextLength();
    }

    @Override
    public int getTextOffset() throws IOException {
        return atString() ? 0 : delegate.getTextOffset();
    }

    @Override
    public String getValueAsString() throws IOException {
        return atString() ? value() : delegate.getValueAsString();
    }

    @Override
    public String getValueAsString(String defaultValue) throws IOException {
        return atString() ? value() : delegate.getValueAsString(defaultValue);
    }

    @Override
    public int getValueAsInt() throws IOException {
        return atString() ? getValueAsInt(0) : delegate.getValueAsInt();
    }

    @Override
    public int getValueAsInt(int defaultValue) throws IOException {
        return atString() ? NumberInput.parseAsInt(value(), defaultValue) : delegate.getValueAsInt(defaultValue);
    }

    @Override
    public long getValueAsLong() throws IOException {
        return atString() ? getValueAsLong(0L) : delegate.getValueAsLong();
    }

    @Override
    public long getValueAsLong(long defaultValue) throws IOException {
        return atString() ? NumberInput.parseAsLong(value(), defaultValue) : delegate.getValueAsLong(defaultValue);
    }

    @Override
    public double getValueAsDouble() throws IOException {
        return atString() ? getValueAsDouble(0.0) : delegate.getValueAsDouble();
    }

    @Override
    public double getValueAsDouble(double defaultValue) throws IOException {
        return atString()
                ? NumberInput.parseAsDouble(value(), defaultValue, false)
                : delegate.getValueAsDouble(defaultValue);
    }

    @Override
    public boolean getValueAsBoolean() throws IOException {
        return atString() ? getValueAsBoolean(false) : delegate.getValueAsBoolean();
    }

    @Override
    public boolean getValueAsBoolean(boolean defaultValue) throws IOException {
        if (!atString()) {
            return delegate.getValueAsBoolean(defaultValue);
        }
        String text = value().trim();
        return text.equals("true") || !text.equals("false") && defaultValue;
    }
}
