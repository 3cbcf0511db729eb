package dev.gatehouse.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** An SLF4J logger that keeps every event, with its key-value pairs, for assertions. */
public final class CapturingLogger extends AbstractLogger implements LoggingEventAware {
    private final Level threshold;
    private final List<Event> events = new CopyOnWriteArrayList<>();

    public CapturingLogger(String name, Level threshold) {
        this.name = name;
        this.threshold = threshold;
    }

    /** One captured event: its level, formatted message and key-value pairs. */
    public record Event(Level level, String message, Map<String, Object> keyValues) {}

    public List<Event> events() {
        return List.copyOf(events);
    }

    @Override
    public void log(LoggingEvent event) {
        if (!enabled(event.getLevel())) {
            return;
        }
        Map<String, Object> pairs = event.getKeyValuePairs() == null
                ? Map.of()
                : event.getKeyValuePairs().stream().collect(Collectors.toMap(pair -> pair.key, pair -> pair.value));
        Object[] args = event.getArgumentArray() == null ? new Object[0] : event.getArgumentArray();
        String message = MessageFormatter.basicArrayFormat(event.getMessage(), args);
        events.add(new Event(event.getLevel(), message, pairs));
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
        String message =
                MessageFormatter.basicArrayFormat(messagePattern, arguments == null ? new Object[0] : arguments);
        events.add(new Event(level, message, Map.of()));
    }

    private boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return CapturingLogger.class.getName();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return isErrorEnabled();
    }
}
