package dev.teamsconnect.graph;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.spi.PresenceWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PBX-to-Teams writer of {@link GraphPresenceSource} for app-only (client-credentials) sign-in: the app's own
 * presence session per user, {@code POST /users/{id}/presence/setPresence} with
 * {@code {sessionId: <client id>, availability, activity, expirationDuration}} and
 * {@code POST /users/{id}/presence/clearPresence} with {@code {sessionId}}, as Microsoft documents them
 * (application permission {@code Presence.ReadWrite.All}). Obtained from {@link GraphPresenceSource#presenceWriter()}.
 *
 * <p>Requests go through the source's HTTP client, token, guard (https to the Graph host only, body limits,
 * deadlines) and presence pacer: writes and reads share the app's presence budget. Each call has the source's
 * {@code presenceBudget} (default 30 s) for all its attempts and waits; a {@code Retry-After} that fits is waited
 * (core {@code RetryAfter}), 5xx and I/O errors back off with core {@code Backoff}; past the budget a
 * {@link dev.teamsconnect.core.error.RetryableException} (carrying the wait Graph asked for). A 403 is a
 * {@link dev.teamsconnect.core.error.TerminalException} naming {@code Presence.ReadWrite.All}, the fix and the admin
 * consent URL; a 404 of {@code setPresence} an {@link dev.teamsconnect.core.error.UnknownUserException}; a 404 of
 * {@code clearPresence} (Microsoft: "the presence session doesn't exist") is success.
 *
 * <p>Arguments are checked before anything is sent: only the pairs Microsoft documents for setPresence
 * ({@link #ALLOWED_PAIRS}), an expiration of whole seconds within {@link PresenceWriter#MIN_SESSION}..
 * {@link PresenceWriter#MAX_SESSION} (PT5M..PT4H); otherwise an {@link IllegalArgumentException} naming them.
 *
 * <p>Threading: one call at a time (SPI contract), from a thread other than the source's reads; blocking.
 * Setting the same session again renews it (Graph keeps one session per app and user).
 */
public final class GraphPresenceWriter implements PresenceWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GraphPresenceWriter.class);

    /**
     * The availability/activity pairs Microsoft's setPresence page allows: Available/Available, Busy/InACall,
     * Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting.
     */
    public static final Map<Availability, Set<Activity>> ALLOWED_PAIRS = Map.of(
            Availability.AVAILABLE, Set.of(Activity.AVAILABLE),
            Availability.BUSY, Set.of(Activity.IN_A_CALL, Activity.IN_A_CONFERENCE_CALL),
            Availability.AWAY, Set.of(Activity.AWAY),
            Availability.DO_NOT_DISTURB, Set.of(Activity.PRESENTING));

    private static final String PAIRS_TEXT =
            "Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting";

    private final GraphPresenceSource source;
    private final String clientId;
    private final Duration budget;

    GraphPresenceWriter(GraphPresenceSource source, String clientId, Duration budget) {
        this.source = source;
        this.clientId = clientId;
        this.budget = budget;
    }

    /** Whether Microsoft allows this pair in setPresence. */
    public static boolean allowed(Availability availability, Activity activity) {
        Set<Activity> a = availability == null ? null : ALLOWED_PAIRS.get(availability);
        return a != null && a.contains(activity);
    }

    /**
     * Sets or renews the app's session for {@code teamsUserId}.
     *
     * @throws IllegalArgumentException for a pair Graph does not accept or an expiration outside PT5M..PT4H
     */
    @Override
    public void setPresence(String teamsUserId, Availability availability, Activity activity, Duration expiration) {
        requireUserId(teamsUserId);
        if (!allowed(availability, activity)) {
            throw new IllegalArgumentException("setPresence does not accept " + wire(availability) + "/" + wire(activity)
                    + ": Microsoft Graph allows only " + PAIRS_TEXT);
        }
        if (expiration == null || expiration.compareTo(MIN_SESSION) < 0 || expiration.compareTo(MAX_SESSION) > 0) {
            throw new IllegalArgumentException("expirationDuration must be between PT5M and PT4H (Microsoft Graph's "
                    + "bounds for setPresence), but was " + expiration);
        }
        if (expiration.getNano() != 0) {
            // Graph's page shows whole minutes and hours only; it is silent on fractions: none are sent.
            throw new IllegalArgumentException("expirationDuration must be whole seconds, but was " + expiration);
        }
        source.postSetPresence(teamsUserId, availability.wireValue(), activity.wireValue(), expiration,
                source.clockInstant().plus(budget));
        LOG.debug("setPresence {} {}/{} for {}", teamsUserId, availability.wireValue(), activity.wireValue(), expiration);
    }

    /** Ends the app's session for {@code teamsUserId}; a session that no longer exists is not an error. */
    @Override
    public void clearPresence(String teamsUserId) {
        requireUserId(teamsUserId);
        source.postClearPresence(teamsUserId, source.clockInstant().plus(budget));
        LOG.debug("clearPresence {}", teamsUserId);
    }

    /**
     * Reads the {@code roles} claim of the app's access token (the payload only, no signature check): a
     * {@link CheckNote.Level#PROBLEM} with the fix and the admin consent URL when {@code Presence.ReadWrite.All} is
     * missing, {@link CheckNote.Level#INFO} when granted. Uses the source's cached token; never throws.
     */
    @Override
    public List<CheckNote> checkNotes() {
        try {
            return source.writeNotes();
        } catch (RuntimeException e) {
            return List.of(new CheckNote(CheckNote.Level.INFO, "permission to write presence not checked: "
                    + e.getClass().getSimpleName()));
        }
    }

    private static void requireUserId(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("teamsUserId must be a Teams (Entra) user id, but was " + (id == null ? "null" : "blank"));
        }
    }

    private static String wire(Object v) {
        if (v instanceof Availability a) {
            return a.wireValue().isEmpty() ? a.name() : a.wireValue();
        }
        if (v instanceof Activity a) {
            return a.wireValue().isEmpty() ? a.name() : a.wireValue();
        }
        return String.valueOf(v);
    }

    @Override
    public String toString() {
        return "GraphPresenceWriter[app=" + Objects.requireNonNull(clientId) + "]";
    }
}
