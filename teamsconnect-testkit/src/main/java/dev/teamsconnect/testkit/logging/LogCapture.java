package dev.teamsconnect.testkit.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/**
 * Captures every log line while open: all SLF4J loggers (ours, msal4j) at TRACE through logback, and
 * java.util.logging (OkHttp, Kiota) at ALL. Restores the previous levels on close. For leak tests ("no secret at
 * TRACE"). Needs logback-classic as the test SLF4J backend: the test kit declares it optional, so add it to your
 * test dependencies to use this class.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level previousRoot = root.getLevel();
    private final Logger ours = (Logger) LoggerFactory.getLogger("dev.teamsconnect");
    private final Level previousOurs = ours.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    private final java.util.logging.Level previousJul = julRoot.getLevel();
    private final List<String> julLines = new ArrayList<>();
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (julLines) {
                julLines.add(r.getLevel() + " " + r.getLoggerName() + " " + new java.util.logging.SimpleFormatter().formatMessage(r)
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(Level level) {
        appender.start();
        root.addAppender(appender);
        root.setLevel(level);
        ours.setLevel(level);
        julRoot.addHandler(julHandler);
        julRoot.setLevel(java.util.logging.Level.ALL);
    }

    public static LogCapture trace() {
        return new LogCapture(Level.TRACE);
    }

    public static LogCapture info() {
        return new LogCapture(Level.INFO);
    }

    /** Every captured line: formatted message, MDC-free, with the logger name and any exception text. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            StringBuilder sb = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
            for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            out.add(sb.toString());
        }
        synchronized (julLines) {
            out.addAll(julLines);
        }
        return out;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(previousRoot);
        ours.setLevel(previousOurs);
        julRoot.removeHandler(julHandler);
        julRoot.setLevel(previousJul);
    }
}
