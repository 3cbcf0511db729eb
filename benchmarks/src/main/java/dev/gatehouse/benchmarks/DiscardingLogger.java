package dev.gatehouse.benchmarks;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.spi.LoggingEventAware;

/**
 * A logger with every level enabled that formats nothing and writes nothing: a no-op appender. Like logback's
 * loggers it takes fluent events whole ({@link LoggingEventAware}), so key-value pairs are not merged into a
 * message string on the way.
 */
final class DiscardingLogger extends AbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    volatile Object last;

    DiscardingLogger() {
        this.name = "gatehouse.benchmark";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
        last = arguments;
    }

    @Override
    public void log(LoggingEvent event) {
        last = event;
    }

    @Override
    public boolean isTraceEnabled() {
        return true;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return true;
    }
}
