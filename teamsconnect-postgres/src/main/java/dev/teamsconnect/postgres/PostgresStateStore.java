package dev.teamsconnect.postgres;

import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.TeamsSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds and Teams sessions in PostgreSQL (tables: see {@link Schema}). Every {@link #commit} and
 * {@link #commitSessions} is one transaction with {@code synchronous_commit = on}: all of a batch or none of it, durable
 * when it returns. The same transaction first reads the leader epoch ({@code FOR SHARE}) and refuses unless it is
 * this instance's ({@link PostgresLeadership}): a leader that lost the lead cannot commit after its successor took it.
 *
 * <p>{@link #claim}: without {@link #leadership(Duration)} (ha.mode off) the store takes the leader lock itself and
 * refuses when another process holds it, naming that process. Then the PBX identity: a database that remembers
 * another PBX while it has holds is refused; one without an identity adopts this one.
 *
 * <p>One connection for the data (no pool: the engine calls one method at a time), made again after a failure; one
 * for the lock. Thread-safe.
 */
public final class PostgresStateStore implements StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);
    /** Deadline of one statement on the data connection. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    /** The timing of the lock that ha.mode off uses to keep a second process out. */
    static final Duration SINGLE_TAKEOVER = Duration.ofSeconds(15);

    private final PostgresSettings settings;
    private Connection connection;
    private PostgresLeadership leadership;
    private boolean ownLeadership;
    private boolean schemaChecked;

    public PostgresStateStore(PostgresSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String id() {
        return "postgres";
    }

    /** Where the store is, password masked. */
    public String where() {
        return settings.shownUrl();
    }

    /**
     * The leadership whose epoch every commit of this store checks (ha.mode active-passive). Created once; the caller
     * acquires it ({@link PostgresLeadership#tryAcquire()}) before the engine claims the store.
     */
    public synchronized PostgresLeadership leadership(Duration takeoverAfter) {
        if (leadership == null) {
            leadership = new PostgresLeadership(settings, takeoverAfter);
        }
        return leadership;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = settings.connect("state", STATEMENT_TIMEOUT);
            try (Statement s = connection.createStatement()) {
                s.execute("SET synchronous_commit = on");
            }
            connection.commit();
        }
        if (!schemaChecked) {
            Schema.ensure(connection, where());
            schemaChecked = true;
        }
        return connection;
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the state connection failed: {}", settings.scrub(e.getMessage()));
            }
        }
        connection = null;
    }

    private StateStoreException failed(String what, SQLException e) {
        dropConnection(); // the next call connects again (a restarted database, a cut connection)
        return new StateStoreException("Cannot " + what + " in the state database " + where() + ": "
                + settings.scrub(e.getMessage()) + ". Nothing of this call was stored. Check that the database is running"
                + " and reachable, and state.url, state.user and state.password.");
    }

    @Override
    public synchronized Map<String, Hold> load() {
        try {
            Connection c = connection();
            Map<String, Hold> out = new LinkedHashMap<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pbx_user_id, kind, prior_dnd,"
                    + " written_dnd, prior_chat_status, written_chat_status, confirmed, since FROM teamsconnect_holds"
                    + " ORDER BY pbx_user_id")) {
                while (r.next()) {
                    String user = r.getString(1);
                    try {
                        out.put(user, new Hold(user, Hold.Kind.fromCode(r.getString(2)), r.getBoolean(3),
                                r.getBoolean(4), r.getString(5), r.getString(6), r.getBoolean(7),
                                r.getTimestamp(8).toInstant()));
                    } catch (IllegalArgumentException e) {
                        c.rollback();
                        throw corrupt("teamsconnect_holds", user, e.getMessage());
                    }
                }
            }
            c.commit();
            LOG.info("Loaded {} hold(s) from the state database {}", out.size(), where());
            return Map.copyOf(out);
        } catch (SQLException e) {
            throw failed("read the holds", e);
        }
    }

    private StateStoreException corrupt(String table, String user, String what) {
        return new StateStoreException("The state database " + where() + " cannot be used: the row of \"" + user
                + "\" in " + table + " is damaged (" + what + "). TeamsConnect will not start over it, because it may"
                + " name users whose DND it must restore. Way out: repair or delete that row.");
    }

    @Override
    public synchronized void claim(Optional<String> pbxIdentity) {
        if (leadership == null) {
            leadership = new PostgresLeadership(settings, SINGLE_TAKEOVER);
            ownLeadership = true;
        }
        if (!leadership.tryAcquire()) {
            String other = leadership.currentLeader().map(l -> " (" + l + ")").orElse("");
            leadership.close();
            leadership = null;
            throw new StateStoreException("The state database " + where() + " is in use by another TeamsConnect"
                    + " process" + other + "; two processes writing one database would overwrite each other's holds."
                    + " Stop the other process first, or run both with ha.mode: active-passive so that one waits.");
        }
        try {
            Connection c = connection();
            String known;
            int holds;
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT pbx, (SELECT count(*) FROM teamsconnect_holds)"
                         + " FROM teamsconnect_schema FOR UPDATE")) {
                r.next();
                known = r.getString(1);
                holds = r.getInt(2);
            }
            String wanted = pbxIdentity.orElse(null);
            if (wanted != null && !wanted.equals(known)) {
                if (known != null && holds > 0) {
                    c.rollback();
                    throw new StateStoreException("The state database " + where() + " holds " + holds + " hold(s) for"
                            + " the PBX \"" + known + "\", but this configuration writes to \"" + wanted + "\"."
                            + " TeamsConnect will not restore them on another PBX (it could override a DND that a user"
                            + " there set by hand). Way out: run `teamsconnect release --config FILE` with a"
                            + " configuration for \"" + known + "\", or point state.url at another database.");
                }
                try (PreparedStatement p = c.prepareStatement("UPDATE teamsconnect_schema SET pbx = ?")) {
                    p.setString(1, wanted);
                    p.executeUpdate();
                }
                LOG.info("State database {} is now bound to the PBX {}", where(), wanted);
            }
            c.commit();
        } catch (SQLException e) {
            throw failed("claim the state", e);
        }
    }

    /** Within the transaction: refuses unless this instance leads with the epoch in the table. */
    private void fence(Connection c) throws SQLException {
        if (ownLeadership && leadership != null && !leadership.renew()) {
            c.rollback();
            String other = leadership.currentLeader().map(l -> " (" + l + ")").orElse("");
            throw new StateStoreException("The state database " + where() + " is in use by another TeamsConnect"
                    + " process" + other + " since this one lost its lock (a database restart?); nothing was stored."
                    + " Stop one of them, or run both with ha.mode: active-passive.");
        }
        long mine = leadership == null ? 0 : leadership.epoch();
        if (mine == 0) {
            c.rollback();
            throw new StateStoreException("The state database " + where() + " was not claimed by this process; it"
                    + " writes only as the leader.");
        }
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT epoch FROM teamsconnect_leader WHERE id = 1 FOR SHARE")) {
            long now = r.next() ? r.getLong(1) : -1;
            if (now != mine) {
                c.rollback();
                throw new StateStoreException("This instance is no longer the leader of the state database " + where()
                        + " (leader epoch " + now + ", this instance's " + mine + "); nothing was stored. Another"
                        + " instance writes now; this one must stop.");
            }
        }
    }

    private static final String UPSERT_HOLD = "INSERT INTO teamsconnect_holds (pbx_user_id, kind,"
            + " prior_dnd, written_dnd, prior_chat_status, written_chat_status, confirmed, since)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pbx_user_id) DO UPDATE SET kind = excluded.kind,"
            + " prior_dnd = excluded.prior_dnd, written_dnd = excluded.written_dnd,"
            + " prior_chat_status = excluded.prior_chat_status,"
            + " written_chat_status = excluded.written_chat_status, confirmed = excluded.confirmed,"
            + " since = excluded.since";

    @Override
    public synchronized void commit(Collection<Hold> upserts, Collection<String> removals) {
        commitFenced("teamsconnect_holds", removals, UPSERT_HOLD, upserts, (p, h) -> {
            p.setString(1, h.pbxUserId());
            p.setString(2, h.kind().code());
            p.setBoolean(3, h.priorDnd());
            p.setBoolean(4, h.writtenDnd());
            p.setString(5, h.priorChatStatus());
            p.setString(6, h.writtenChatStatus());
            p.setBoolean(7, h.confirmed());
            p.setTimestamp(8, Timestamp.from(h.since()));
        }, "store " + upserts.size() + " hold(s) and remove " + removals.size());
    }

    /** How one row of an upsert is bound to its statement. */
    @FunctionalInterface
    private interface Binder<T> {
        void bind(PreparedStatement p, T row) throws SQLException;
    }

    /**
     * One transaction that checks the leader epoch first ({@link #fence}), deletes {@code removals} from
     * {@code table} and upserts {@code upserts} with {@code upsertSql}: all or nothing.
     */
    private <T> void commitFenced(String table, Collection<String> removals, String upsertSql, Collection<T> upserts,
                                  Binder<T> binder, String what) {
        if (upserts.isEmpty() && removals.isEmpty()) {
            return;
        }
        try {
            Connection c = connection();
            try {
                fence(c);
                if (!removals.isEmpty()) {
                    try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table + " WHERE pbx_user_id = ?")) {
                        for (String id : removals) {
                            p.setString(1, id);
                            p.addBatch();
                        }
                        p.executeBatch();
                    }
                }
                if (!upserts.isEmpty()) {
                    try (PreparedStatement p = c.prepareStatement(upsertSql)) {
                        for (T row : upserts) {
                            binder.bind(p, row);
                            p.addBatch();
                        }
                        p.executeBatch();
                    }
                }
                c.commit();
            } catch (StateStoreException e) {
                throw e;
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    @Override
    public synchronized Map<String, TeamsSession> loadSessions() {
        try {
            Connection c = connection();
            Map<String, TeamsSession> out = new LinkedHashMap<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pbx_user_id, teams_user_id,"
                    + " cause, availability, activity, since, expires_at, cleared_at FROM teamsconnect_sessions"
                    + " ORDER BY pbx_user_id")) {
                while (r.next()) {
                    String user = r.getString(1);
                    try {
                        Availability a = Availability.parse(r.getString(4));
                        Activity act = Activity.parse(r.getString(5));
                        if (a == Availability.UNKNOWN || act == Activity.UNKNOWN) {
                            throw new IllegalArgumentException("unknown availability or activity \"" + r.getString(4)
                                    + "/" + r.getString(5) + "\"");
                        }
                        out.put(user, new TeamsSession(user, r.getString(2), TeamsSession.Cause.fromCode(r.getString(3)),
                                a, act, r.getTimestamp(6).toInstant(), r.getTimestamp(7).toInstant(),
                                r.getTimestamp(8) == null ? null : r.getTimestamp(8).toInstant()));
                    } catch (IllegalArgumentException | NullPointerException e) {
                        c.rollback();
                        throw corrupt("teamsconnect_sessions", user, e.getMessage());
                    }
                }
            }
            c.commit();
            return Map.copyOf(out);
        } catch (SQLException e) {
            throw failed("read the Teams sessions", e);
        }
    }

    private static final String UPSERT_SESSION = "INSERT INTO teamsconnect_sessions (pbx_user_id,"
            + " teams_user_id, cause, availability, activity, since, expires_at, cleared_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pbx_user_id) DO UPDATE SET"
            + " teams_user_id = excluded.teams_user_id, cause = excluded.cause,"
            + " availability = excluded.availability, activity = excluded.activity,"
            + " since = excluded.since, expires_at = excluded.expires_at,"
            + " cleared_at = excluded.cleared_at";

    @Override
    public synchronized void commitSessions(Collection<TeamsSession> upserts, Collection<String> removals) {
        commitFenced("teamsconnect_sessions", removals, UPSERT_SESSION, upserts, (p, t) -> {
            p.setString(1, t.pbxUserId());
            p.setString(2, t.teamsUserId());
            p.setString(3, t.cause().code());
            p.setString(4, t.availability().wireValue());
            p.setString(5, t.activity().wireValue());
            p.setTimestamp(6, Timestamp.from(t.since()));
            p.setTimestamp(7, Timestamp.from(t.expiresAt()));
            p.setTimestamp(8, t.clearedAt() == null ? null : Timestamp.from(t.clearedAt()));
        }, "store " + upserts.size() + " Teams session(s) and remove " + removals.size());
    }

    /**
     * Puts holds read elsewhere (a 0.1 state file) into an empty database, in one transaction; refuses when the
     * database has holds already. Takes the lock like {@link #claim} while it writes, and binds the database to the
     * PBX the holds belong to, when known (a 0.1 file does not name it: then the first run adopts its PBX).
     *
     * @return how many holds were stored
     */
    public synchronized int importHolds(Collection<Hold> holds, Optional<String> pbx) {
        claim(Optional.empty());
        try {
            Connection c = connection();
            int existing;
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM teamsconnect_holds")) {
                r.next();
                existing = r.getInt(1);
            }
            c.commit();
            if (existing > 0) {
                throw new StateStoreException("The state database " + where() + " has " + existing + " hold(s)"
                        + " already; import only into a database without holds (run `teamsconnect release` against it"
                        + " first, or point state.url at an empty database).");
            }
        } catch (SQLException e) {
            throw failed("count the holds", e);
        }
        if (pbx.isPresent()) {
            claim(pbx);
        }
        commit(holds, java.util.List.of());
        return holds.size();
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("Rollback failed: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        dropConnection();
        if (leadership != null && ownLeadership) {
            leadership.close();
            leadership = null;
        }
    }

    @Override
    public String toString() {
        return "PostgresStateStore[" + where() + "]";
    }
}
