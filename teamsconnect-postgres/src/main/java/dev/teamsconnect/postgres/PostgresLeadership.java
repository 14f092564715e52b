package dev.teamsconnect.postgres;

import dev.teamsconnect.core.error.StateStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may write: the instance whose dedicated connection holds the session-level advisory lock
 * {@code (0x7c0c, 1)}. On taking the lock it raises the leader epoch in {@code teamsconnect_leader}; every commit
 * of its {@link PostgresStateStore} checks, in the same transaction, that the epoch is still its own (fencing: once a
 * successor has raised it, nothing the old leader commits gets through).
 *
 * <p>Timing, from {@code takeoverAfter} T: the heartbeat interval H is T/6. A leader checks its lock every H with a
 * statement deadline D of H rounded up to whole seconds, so it learns of a lost lock or connection at most H + D
 * after it happened and then stops writing ({@code onLost}). A standby tries the lock every H; once it has it, it
 * waits {@link #fenceWait()} = 2H + D (the old leader's H + D plus H for its engine to stop) before it writes anything
 * to the PBX. A leader that is gone (killed, its connection cut) is replaced, its engine opened, at most
 * 3H + D (about 0.7 T) after the database released its lock, leaving the rest of T for signing in. How fast the database
 * notices a leader whose host vanished (no TCP reset) is bounded by the TCP keepalive settings this class sets on its
 * session (idle D, interval 1 s, 2 probes) and {@code tcp_user_timeout} 2D.
 *
 * <p>Thread-safe.
 */
public final class PostgresLeadership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLeadership.class);
    /** The shortest takeoverAfter: the driver's statement deadline has whole seconds, H must be at least 1 s. */
    public static final Duration MIN_TAKEOVER_AFTER = Duration.ofSeconds(5);

    private final PostgresSettings settings;
    private final Duration heartbeat;
    private final String holder;
    private Connection lockConnection;
    private long epoch; // 0: not leading
    private java.time.Instant since;
    private ScheduledExecutorService watcher;
    private volatile String lostBecause;
    private volatile String lastError;

    PostgresLeadership(PostgresSettings settings, Duration takeoverAfter) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (takeoverAfter.compareTo(MIN_TAKEOVER_AFTER) < 0) {
            throw new IllegalArgumentException("takeoverAfter must be at least " + MIN_TAKEOVER_AFTER.toSeconds()
                    + "s, but was " + takeoverAfter);
        }
        this.heartbeat = takeoverAfter.dividedBy(6);
        this.holder = holderName();
    }

    private static String holderName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown host";
        }
        return host + " pid " + ProcessHandle.current().pid();
    }

    /** How often a standby tries the lock and a leader checks it. */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** The deadline of one lock check: H in whole seconds (the driver's socket timeout), at least 1 s. */
    Duration checkDeadline() {
        return Duration.ofSeconds(Math.max(1, (heartbeat.toMillis() + 999) / 1000));
    }

    /**
     * How long a new leader waits after taking the lock before its first PBX write: an old leader notices a lost lock
     * within H + {@link #checkDeadline()} (its next check, and that check's deadline), then H for its engine to stop.
     */
    public Duration fenceWait() {
        return heartbeat.multipliedBy(2).plus(checkDeadline());
    }

    /** This process as it is recorded as holder ({@code host pid N}). */
    public String holder() {
        return holder;
    }

    /** The epoch of this leadership; 0 while not leading. */
    public synchronized long epoch() {
        return epoch;
    }

    public synchronized boolean leading() {
        return epoch != 0 && lostBecause == null;
    }

    /** When this process took the lead; null while not leading. */
    public synchronized java.time.Instant since() {
        return since;
    }

    /**
     * One attempt to lead: takes the lock if it is free, then raises the epoch. Returns false when another instance
     * holds it or the database cannot be reached right now (logged at debug; the caller tries again).
     */
    public synchronized boolean tryAcquire() {
        if (epoch != 0) {
            return lostBecause == null;
        }
        try {
            if (lockConnection == null || lockConnection.isClosed()) {
                lockConnection = settings.connect("leader lock", checkDeadline());
                try (Statement s = lockConnection.createStatement()) {
                    long idle = checkDeadline().toSeconds();
                    s.execute("SET tcp_keepalives_idle = " + idle);
                    s.execute("SET tcp_keepalives_interval = 1");
                    s.execute("SET tcp_keepalives_count = 2");
                    s.execute("SET tcp_user_timeout = " + checkDeadline().multipliedBy(2).toMillis());
                }
                lockConnection.commit();
                Schema.ensure(lockConnection, settings.shownUrl());
            }
            boolean got;
            try (Statement s = lockConnection.createStatement();
                 ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + Schema.LOCK_CLASS + ", "
                         + Schema.LEADER_LOCK + ")")) {
                r.next();
                got = r.getBoolean(1);
            }
            lockConnection.commit(); // session-level: the lock outlives the transaction
            lastError = null;
            if (!got) {
                return false;
            }
            try (PreparedStatement p = lockConnection.prepareStatement("UPDATE teamsconnect_leader SET epoch = epoch + 1,"
                    + " holder = ?, since = now() WHERE id = 1 RETURNING epoch, since")) {
                p.setString(1, holder);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        throw new SQLException("the row of teamsconnect_leader is missing");
                    }
                    epoch = r.getLong(1);
                    since = r.getTimestamp(2).toInstant();
                }
            }
            lockConnection.commit();
            lostBecause = null;
            lastError = null;
            return true;
        } catch (StateStoreException e) {
            dropConnection();
            throw e;
        } catch (SQLException e) {
            lastError = "cannot reach the state database " + settings.shownUrl() + ": " + settings.scrub(e.getMessage());
            LOG.debug("Trying the leader lock failed: {}", lastError);
            dropConnection();
            return false;
        }
    }

    /** Who leads now, as recorded ({@code host pid N since ...}), if the database can say. */
    public synchronized Optional<String> currentLeader() {
        if (lockConnection == null) {
            return Optional.empty();
        }
        try (Statement s = lockConnection.createStatement();
             ResultSet r = s.executeQuery("SELECT holder, since, epoch FROM teamsconnect_leader WHERE id = 1")) {
            Optional<String> out = r.next() && r.getString(1) != null
                    ? Optional.of(r.getString(1) + " (epoch " + r.getLong(3) + ", since " + r.getTimestamp(2).toInstant() + ")")
                    : Optional.empty();
            lockConnection.commit();
            return out;
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * Checks the lock every {@link #heartbeat()} until it is lost, then calls {@code onLost} once (on the watcher's
     * thread) with the cause. Call after {@link #tryAcquire()} returned true.
     */
    public synchronized void watch(Consumer<String> onLost) {
        if (epoch == 0) {
            throw new IllegalStateException("not leading");
        }
        if (watcher != null) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "teamsconnect-leader-lock");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            String cause = check();
            if (cause != null && lostBecause == null) {
                lostBecause = cause;
                watcher.shutdown();
                onLost.accept(cause);
            }
        }, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Null while the lock is held and the epoch is ours, else why not. */
    synchronized String check() {
        if (lostBecause != null) {
            return lostBecause;
        }
        try (Statement s = lockConnection.createStatement();
             ResultSet r = s.executeQuery("SELECT (SELECT epoch FROM teamsconnect_leader WHERE id = 1),"
                     + " EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                     + " AND classid = " + Schema.LOCK_CLASS + " AND objid = " + Schema.LEADER_LOCK + " AND granted)")) {
            r.next();
            long now = r.getLong(1);
            boolean held = r.getBoolean(2);
            lockConnection.commit();
            if (!held) {
                return "the leader lock is no longer held by this instance's database session";
            }
            if (now != epoch) {
                return "another instance took the lead (epoch " + now + ", this instance's was " + epoch + ")";
            }
            return null;
        } catch (SQLException e) {
            return "the database connection holding the leader lock failed: " + settings.scrub(e.getMessage());
        }
    }

    /**
     * For a store that took the lock itself (ha.mode off, no watcher): checks the lock and, when its session is gone
     * (a database restart), takes it again with a new epoch. False when another process holds it now.
     */
    synchronized boolean renew() {
        if (watcher != null) {
            return leading();
        }
        if (epoch != 0 && check() == null) {
            return true;
        }
        dropConnection();
        epoch = 0;
        lostBecause = null;
        return tryAcquire();
    }

    /** Why the last {@link #tryAcquire()} could not ask the database, or empty when it could. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /**
     * How many other instances wait for the lock right now (their lock sessions, by application name, in this
     * database); 0 when the database cannot say.
     */
    public synchronized int standbysWaiting() {
        if (lockConnection == null) {
            return 0;
        }
        try (Statement s = lockConnection.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND application_name = 'teamsconnect leader lock' AND pid <> pg_backend_pid()")) {
            r.next();
            int n = r.getInt(1);
            lockConnection.commit();
            return n;
        } catch (SQLException e) {
            return 0;
        }
    }

    /** Why the leadership was lost, if it was. */
    public Optional<String> lostBecause() {
        return Optional.ofNullable(lostBecause);
    }

    private void dropConnection() {
        if (lockConnection != null) {
            try {
                lockConnection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the leader lock connection failed: {}", settings.scrub(e.getMessage()));
            }
        }
        lockConnection = null;
    }

    /** Gives the lock up (closing its session releases it). The epoch stays: a successor raises it. */
    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        if (lostBecause == null && epoch != 0) {
            lostBecause = "closed";
        }
        dropConnection();
    }
}
