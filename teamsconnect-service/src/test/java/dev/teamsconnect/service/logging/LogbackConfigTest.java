package dev.teamsconnect.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The shipped logback.xml, loaded into a fresh logging context (not the one the tests themselves log with). */
class LogbackConfigTest {

    private static final String PROPERTY = "TEAMSCONNECT_LOG_LEVEL";

    @AfterEach
    void clearProperty() {
        System.clearProperty(PROPERTY);
    }

    private static LoggerContext configure() throws Exception {
        URL xml = LogbackConfigTest.class.getResource("/logback.xml");
        assertThat(xml).as("logback.xml on the class path").isNotNull();
        LoggerContext context = new LoggerContext();
        // a context made by hand has no MDC adapter; the one SLF4J creates at start-up does
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(xml);
        return context;
    }

    @Test
    void logsAtInfoByDefault() throws Exception {
        // skip when the build machine itself sets the variable: the default cannot be observed then
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(PROPERTY) == null);

        LoggerContext context = configure();

        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
        context.stop();
    }

    @Test
    void levelIsOverriddenBySystemProperty() throws Exception {
        System.setProperty(PROPERTY, "DEBUG");

        LoggerContext context = configure();

        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
        context.stop();
    }

    @Test
    void writesOneLinePerEventToStandardError() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // the console appender takes System.err when it starts, so swap it first
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggerContext context = configure();
        try {
            context.getLogger("dev.teamsconnect.test").info("first line\nforged second line");
        } finally {
            System.setErr(original);
            context.stop();
        }

        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(1);
        assertThat(text).contains("INFO").contains("first line | forged second line");
    }
}
