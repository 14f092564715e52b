package dev.teamsconnect.postgres;

import dev.teamsconnect.core.error.StateStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where the database is and how to sign in: {@code state.url}, {@code state.user}, {@code state.password}. The
 * password never leaves this class except to the JDBC driver: {@link #shownUrl()} masks a {@code password} parameter
 * in the URL, {@link #scrub(String)} removes the password from a driver message, {@link #toString()} shows neither.
 *
 * <p>Connections are made with the pgjdbc driver directly (not {@code DriverManager}), with a deadline on every step:
 * connecting, signing in and each statement ({@code socketTimeout}).
 */
public final class PostgresSettings {

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;]password=)[^&;]*");

    private final String url;
    private final String user;
    private final String password;

    public PostgresSettings(String url, String user, String password) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = Objects.requireNonNull(user, "user");
        this.password = password == null ? "" : password;
    }

    /** The JDBC URL with a {@code password=} parameter masked, for messages and /status. */
    public String shownUrl() {
        return maskUrl(url);
    }

    static String maskUrl(String url) {
        return PASSWORD_PARAM.matcher(url).replaceAll("$1***");
    }

    public String user() {
        return user;
    }

    /** {@code text} without the password (a driver message may quote the URL or, in theory, the password). */
    public String scrub(String text) {
        if (text == null) {
            return "";
        }
        String out = text.replace(url, shownUrl());
        if (!password.isEmpty()) {
            out = out.replace(password, "***");
        }
        return maskUrl(out);
    }

    /**
     * A new connection, autocommit off.
     *
     * @param statementTimeout how long one round trip may take before the driver gives up (whole seconds, at least 1)
     */
    Connection connect(String purpose, Duration statementTimeout) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "10");
        p.setProperty("socketTimeout", String.valueOf(Math.max(1, (statementTimeout.toMillis() + 999) / 1000)));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "teamsconnect " + purpose);
        Connection c = new org.postgresql.Driver().connect(url, p);
        if (c == null) {
            throw new StateStoreException("state.url " + shownUrl() + " is not a PostgreSQL JDBC URL"
                    + " (jdbc:postgresql://HOST:PORT/DATABASE)");
        }
        c.setAutoCommit(false);
        return c;
    }

    @Override
    public String toString() {
        return "PostgreSQL " + shownUrl() + " as " + user;
    }
}
