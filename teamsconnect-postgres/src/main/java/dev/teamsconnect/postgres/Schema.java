package dev.teamsconnect.postgres;

import dev.teamsconnect.core.error.StateStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The product's tables and their versions. Not Flyway: there is one schema of four small tables, and what the
 * product must do on top of any migration tool (refuse a newer or foreign schema with the way out, never reset)
 * is most of the code; a tool of several megabytes with its own history table would add a second notion of
 * "version" to keep in step. Instead: one row in {@code teamsconnect_schema} names the product and the version;
 * {@link #MIGRATIONS} holds the SQL that brings version {@code n-1} to {@code n}; every step runs in one
 * transaction under a transaction-level advisory lock, so two instances starting at once migrate once.
 *
 * <p>Tables live in the connection's current schema (the user's {@code search_path}), each named
 * {@code teamsconnect_*}.
 */
final class Schema {

    /** The version this build writes. */
    static final int VERSION = 1;
    static final String PRODUCT = "teamsconnect";

    /** Advisory lock keys (two-int form), class {@code 0x7c0c} = "TeamsConnect". */
    static final int LOCK_CLASS = 0x7c0c;
    static final int LEADER_LOCK = 1;
    static final int MIGRATION_LOCK = 2;

    /** Index i: the statements from version i to i+1. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE teamsconnect_schema (id int PRIMARY KEY CHECK (id = 1), product text NOT NULL,"
                    + " version int NOT NULL, pbx text, created_at timestamptz NOT NULL DEFAULT now())",
            "CREATE TABLE teamsconnect_leader (id int PRIMARY KEY CHECK (id = 1), epoch bigint NOT NULL,"
                    + " holder text, since timestamptz)",
            "INSERT INTO teamsconnect_leader (id, epoch) VALUES (1, 0)",
            "CREATE TABLE teamsconnect_holds (pbx_user_id text PRIMARY KEY, kind text NOT NULL"
                    + " CHECK (kind IN ('held', 'manual')), prior_dnd boolean NOT NULL, written_dnd boolean NOT NULL,"
                    + " prior_chat_status text, written_chat_status text, confirmed boolean NOT NULL,"
                    + " since timestamptz NOT NULL)",
            "CREATE TABLE teamsconnect_sessions (pbx_user_id text PRIMARY KEY, teams_user_id text NOT NULL,"
                    + " cause text NOT NULL, availability text NOT NULL, activity text NOT NULL,"
                    + " since timestamptz NOT NULL, expires_at timestamptz NOT NULL, cleared_at timestamptz)"));

    private Schema() {
    }

    /**
     * Creates the tables in an empty database or migrates them to {@link #VERSION}; refuses a foreign, newer or
     * damaged schema. Commits.
     */
    static void ensure(Connection c, String where) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", " + MIGRATION_LOCK + ")");
            int version = currentVersion(c, where);
            for (int v = version; v < VERSION; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    s.execute(sql);
                }
            }
            if (version == 0) {
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO teamsconnect_schema (id, product, version) VALUES (1, ?, ?)")) {
                    p.setString(1, PRODUCT);
                    p.setInt(2, VERSION);
                    p.executeUpdate();
                }
            } else if (version < VERSION) {
                s.executeUpdate("UPDATE teamsconnect_schema SET version = " + VERSION);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    /** 0 for a database without any of the product's tables. */
    private static int currentVersion(Connection c, String where) throws SQLException {
        List<String> ours = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = current_schema() AND table_name LIKE 'teamsconnect\\_%' ORDER BY 1");
             ResultSet r = p.executeQuery()) {
            while (r.next()) {
                ours.add(r.getString(1));
            }
        }
        if (ours.isEmpty()) {
            return 0;
        }
        if (!ours.contains("teamsconnect_schema")) {
            throw refused(where, "it has the tables " + ours + " but no teamsconnect_schema table that says which"
                    + " product and version wrote them (a foreign or damaged schema)");
        }
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT product, version FROM teamsconnect_schema")) {
            if (!r.next()) {
                throw refused(where, "its teamsconnect_schema table is empty (damaged)");
            }
            String product = r.getString(1);
            int version = r.getInt(2);
            if (r.next()) {
                throw refused(where, "its teamsconnect_schema table has more than one row (damaged)");
            }
            if (!PRODUCT.equals(product)) {
                throw refused(where, "its tables belong to \"" + product + "\", not to TeamsConnect (a foreign schema)");
            }
            if (version > VERSION) {
                throw new StateStoreException("The state database " + where + " has schema version " + version
                        + ", written by a newer TeamsConnect; this one knows up to version " + VERSION + " and will"
                        + " not write to it. Way out: run the newer TeamsConnect again (downgrading is not supported),"
                        + " or point state.url at another database.");
            }
            if (version < 1) {
                throw refused(where, "its schema version is " + version + " (damaged)");
            }
            return version;
        }
    }

    private static StateStoreException refused(String where, String what) {
        return new StateStoreException("The state database " + where + " cannot be used: " + what + ". TeamsConnect"
                + " will not reset it, because it may name users whose DND it must restore. Way out: point state.url at"
                + " the database TeamsConnect created, or at an empty one (then import the holds with `teamsconnect"
                + " state import`), or repair the tables from a backup.");
    }
}
