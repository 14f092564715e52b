package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.HumanDuration;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.mapping.DesiredState;
import dev.teamsconnect.core.mapping.PresenceClassifier;
import dev.teamsconnect.core.mapping.StatusPolicy;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.Hold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The per-user timers as a pure function: {@code (track, reading, now) -> (track', what the PBX should have)}.
 * Debounce, grace, fail-open, a manual episode resumed after a restart, and the recheck budget of a settled user.
 *
 * <p>No I/O, no clock, no mutable state: the caller keeps the {@link Track}s and passes the time; what is worth a log
 * line or an audit event comes back as {@link Note}s. The classifier and the policy are the user's pure functions;
 * their failures are notes too.
 */
final class PresenceTracker {

    /**
     * What the engine remembers of one user's presence between cycles. Immutable.
     *
     * @param lastPresence   the last presence read (stale readings are dropped against it)
     * @param lastReadableAt when presence was last readable (fail-open counts from here)
     * @param stableCategory the category after debounce, or null before the first reading or after a fail-open
     * @param stablePresence the presence that made {@code stableCategory}
     * @param candidate      a new category waiting for the debounce, or null
     * @param candidateSince since when {@code candidate} has been read
     * @param lastWant       the last DND presence wanted ({@link Want#USERS_OWN}: none), kept through the grace period
     * @param lastWantReason why {@code lastWant}
     * @param graceStart     when the grace period began, or null
     * @param evaluated      whether presence was evaluated since the engine started (a restart resumes manual holds)
     * @param resumeUntil    until when a MANUAL hold from before the restart is kept, or null
     * @param skipping       whether the user is skipped because presence is unreadable
     * @param failedOpen     whether the user's hold was released because presence was unreadable too long
     * @param desired        the DND wanted at the last evaluation
     * @param desiredChat    the chat status wanted at the last evaluation, or null
     */
    record Track(TeamsPresence lastPresence, Instant lastReadableAt, PresenceCategory stableCategory,
                 TeamsPresence stablePresence, PresenceCategory candidate, Instant candidateSince, Want lastWant,
                 String lastWantReason, Instant graceStart, boolean evaluated, Instant resumeUntil, boolean skipping,
                 boolean failedOpen, Want desired, String desiredChat) {
        Track {
            Objects.requireNonNull(lastReadableAt, "lastReadableAt");
            Objects.requireNonNull(lastWant, "lastWant");
            Objects.requireNonNull(desired, "desired");
        }

        /**
         * The DND presence itself wants, without the grace period and a manual episode resumed after a restart that
         * {@link #desired} may add.
         */
        Want fromPresence() {
            return graceStart != null || resumeUntil != null ? Want.USERS_OWN : desired;
        }

        /** A user seen for the first time at {@code now}. */
        static Track initial(Instant now) {
            return new Track(null, now, null, null, null, null, Want.USERS_OWN, null, null, false, null, false, false,
                    Want.USERS_OWN, null);
        }
    }

    /** What the PBX side of the user says, as far as the timers care: settled, and when to re-read. */
    record Settled(boolean settled, Instant recheckDue) {
        static final Settled NO = new Settled(false, null);
    }

    /** What the engine does with the user this cycle. */
    enum Outcome {
        /** Nothing wanted, nothing held: the PBX state does not matter and is not read. */
        IDLE,
        /** Presence is unreadable: no change either way. */
        SKIPPED,
        /** Presence has been unreadable longer than failOpenAfter: the hold, if any, is released. */
        FAILED_OPEN,
        /** The policy failed: no change this cycle. */
        POLICY_FAILED,
        /** Settled and wanting the same as before: not re-read before its recheck is due. */
        RECHECK_LATER,
        /** Read the PBX state and reconcile it. */
        RECONCILE
    }

    /** Something worth a log line (and for {@link Kind#SKIPPING_STARTED}, an audit event). */
    record Note(Kind kind, String message) {
        enum Kind { STALE_DROPPED, CLASSIFIER_FAILED, POLICY_FAILED, FAIL_OPEN_STARTED, SKIPPING_STARTED,
            READABLE_AGAIN }
    }

    /**
     * The result of one step.
     *
     * @param track    the track after the reading
     * @param outcome  what to do with the user
     * @param wantDnd  the DND wanted (after grace and a resumed manual episode)
     * @param wantChat the chat status wanted, or null
     * @param reason   why; for {@link Outcome#SKIPPED} the audit reason
     * @param steady   wanted the same as last cycle and settled then: only a hand-made change can need a write
     * @param notes    what to log
     */
    record Step(Track track, Outcome outcome, Want wantDnd, String wantChat, String reason, boolean steady,
                List<Note> notes) {
        /** Whether presence could be read and classified. */
        boolean readable() {
            return outcome != Outcome.SKIPPED && outcome != Outcome.FAILED_OPEN;
        }
    }

    private final PresenceClassifier classifier;
    private final StatusPolicy policy;
    private final Duration debounce;
    private final Duration grace;
    private final Duration failOpen;

    PresenceTracker(PresenceClassifier classifier, StatusPolicy policy, EngineConfig config) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.debounce = config.debounce();
        this.grace = config.gracePeriod();
        this.failOpen = config.failOpenAfter();
    }

    /**
     * One reading of one user.
     *
     * @param t            the user's track
     * @param user         the user
     * @param p            the presence read, or null
     * @param failure      why no presence was read, or null
     * @param held         the user's hold, or null
     * @param pbx          whether the user's PBX state is settled, and when it is due to be re-read
     * @param capabilities what the sink can write
     * @param now          the time of the reading
     */
    Step next(Track t, MappedUser user, TeamsPresence p, TeamsConnectException failure, Hold held, Settled pbx,
              Set<Capability> capabilities, Instant now) {
        List<Note> notes = new ArrayList<>(1);
        TeamsPresence lastPresence = t.lastPresence();
        PresenceCategory category = null;
        String unreadable;
        if (p != null) {
            if (lastPresence != null && p.isOlderThan(lastPresence)) {
                notes.add(new Note(Note.Kind.STALE_DROPPED, "Stale presence for " + user.teams().label()
                        + " dropped (sequence " + p.sequenceNumber() + " < " + lastPresence.sequenceNumber() + ")"));
                p = lastPresence;
            }
            try {
                category = classifier.classify(p);
            } catch (RuntimeException e) {
                notes.add(new Note(Note.Kind.CLASSIFIER_FAILED, "Classifier failed for " + user.teams().label() + " ("
                        + p.label() + "): " + e));
            }
            unreadable = category == null ? "classifier failed" : "presence " + p.label() + " is UNKNOWN";
            if (category == PresenceCategory.UNKNOWN) {
                lastPresence = p;
                category = null;
            }
        } else {
            unreadable = failure != null ? "presence read failed: " + failure.getMessage() : "no presence returned";
        }
        if (category == null) {
            return unreadable(t, user, lastPresence, unreadable, now, notes);
        }
        return readable(t, user, p, category, held, pbx, capabilities, now, notes);
    }

    private Step unreadable(Track t, MappedUser user, TeamsPresence lastPresence, String why, Instant now,
                            List<Note> notes) {
        if (!failOpen.isZero() && !now.isBefore(t.lastReadableAt().plus(failOpen))) {
            if (!t.failedOpen()) {
                notes.add(new Note(Note.Kind.FAIL_OPEN_STARTED, "Fail open for " + user.pbx().label()
                        + ": presence unreadable since " + t.lastReadableAt() + " (longer than " + HumanDuration.of(failOpen)
                        + "); releasing the hold until presence returns"));
            }
            Track next = new Track(lastPresence, t.lastReadableAt(), null, t.stablePresence(), null,
                    t.candidateSince(), Want.USERS_OWN, t.lastWantReason(), null, t.evaluated(), t.resumeUntil(),
                    t.skipping(), true, Want.USERS_OWN, t.desiredChat());
            return new Step(next, Outcome.FAILED_OPEN, Want.USERS_OWN, null,
                    "fail open: presence unreadable for more than " + HumanDuration.of(failOpen), false, notes);
        }
        String reason = why + "; no change either way";
        if (!t.skipping()) {
            notes.add(new Note(Note.Kind.SKIPPING_STARTED, "Skipping " + user.pbx().label()
                    + " until its presence can be read again: " + why));
        }
        Track next = new Track(lastPresence, t.lastReadableAt(), t.stableCategory(), t.stablePresence(),
                t.candidate(), t.candidateSince(), t.lastWant(), t.lastWantReason(), t.graceStart(), t.evaluated(),
                t.resumeUntil(), true, t.failedOpen(), t.desired(), t.desiredChat());
        return new Step(next, Outcome.SKIPPED, t.desired(), t.desiredChat(), reason, false, notes);
    }

    private Step readable(Track t, MappedUser user, TeamsPresence p, PresenceCategory category, Hold held,
                          Settled pbx, Set<Capability> capabilities, Instant now, List<Note> notes) {
        if (t.skipping() || t.failedOpen()) {
            notes.add(new Note(Note.Kind.READABLE_AGAIN, "Presence of " + user.pbx().label() + " readable again ("
                    + p.label() + ")"));
        }
        // debounce: a new category counts once it has lasted the debounce
        PresenceCategory stable = t.stableCategory();
        TeamsPresence stablePresence = t.stablePresence();
        PresenceCategory candidate = t.candidate();
        Instant candidateSince = t.candidateSince();
        if (stable == null || debounce.isZero() || category == stable) {
            stable = category;
            stablePresence = p;
            candidate = null;
        } else {
            if (category != candidate) {
                candidate = category;
                candidateSince = now;
            }
            if (!now.isBefore(candidateSince.plus(debounce))) {
                stable = category;
                stablePresence = p;
                candidate = null;
            }
        }

        DesiredState d;
        try {
            d = policy.desired(user, stablePresence, stable);
        } catch (RuntimeException e) {
            notes.add(new Note(Note.Kind.POLICY_FAILED, "Status policy failed for " + user.pbx().label() + " ("
                    + stable + "): " + e));
            Track next = new Track(p, now, stable, stablePresence, candidate, candidateSince, t.lastWant(),
                    t.lastWantReason(), t.graceStart(), t.evaluated(), t.resumeUntil(), false, false, t.desired(),
                    t.desiredChat());
            return new Step(next, Outcome.POLICY_FAILED, t.desired(), t.desiredChat(), null, false, notes);
        }
        if (d == null) {
            d = DesiredState.userOwn("no policy decision");
        }
        Want want = capabilities.contains(Capability.DND) ? Want.of(d.dnd()) : Want.USERS_OWN;
        String wantChat = capabilities.contains(Capability.CHAT_STATUS) ? d.chatStatus() : null;
        String reason = d.reason() != null ? d.reason() : "Teams " + stablePresence.label() + " -> " + stable.code();

        // grace: keep the desired DND for a while after presence stops wanting it
        Want lastWant = t.lastWant();
        String lastWantReason = t.lastWantReason();
        Instant graceStart = t.graceStart();
        if (!want.isUsersOwn()) {
            lastWant = want;
            lastWantReason = reason;
            graceStart = null;
        } else if (!lastWant.isUsersOwn() && !grace.isZero()) {
            if (graceStart == null) {
                graceStart = now;
            }
            if (now.isBefore(graceStart.plus(grace))) {
                want = lastWant;
                reason = "grace period " + HumanDuration.of(grace) + " after: " + lastWantReason;
            } else {
                lastWant = Want.USERS_OWN;
                graceStart = null;
            }
        } else {
            lastWant = Want.USERS_OWN;
        }

        // A MANUAL hold from the store (a restart): its episode was running, and the debounce and grace timers that
        // would end it are gone, so the first category counted at once could end it early and let the next call
        // override the user's choice. End it no sooner than a running engine would: keep it while presence has
        // not wanted DND for debounce + grace, counted from the first cycle that reads presence.
        boolean manual = held != null && held.kind() == Hold.Kind.MANUAL;
        Instant resumeUntil = t.resumeUntil();
        if (!t.evaluated() && manual && capabilities.contains(Capability.DND)) {
            resumeUntil = now.plus(debounce).plus(grace);
        }
        if (resumeUntil != null) {
            if (want.isUsersOwn() && manual && now.isBefore(resumeUntil)) {
                want = Want.of(held.writtenDnd());
                reason = "manual DND episode from before the restart, kept for debounce and grace";
            } else {
                resumeUntil = null;
            }
        }
        // steady: wanted the same as last cycle and settled then (read, nothing pending); only a hand-made change
        // can need a write, so these users are reconciled after the ones whose presence just changed
        boolean steady = pbx.settled() && t.desired() == want && Objects.equals(t.desiredChat(), wantChat)
                && (held == null || held.confirmed());
        Track next = new Track(p, now, stable, stablePresence, candidate, candidateSince, lastWant, lastWantReason,
                graceStart, true, resumeUntil, false, false, want, wantChat);
        Outcome outcome = Outcome.RECONCILE;
        if (want.isUsersOwn() && wantChat == null && held == null) {
            outcome = Outcome.IDLE;
        } else if (steady && pbx.recheckDue() != null && now.isBefore(pbx.recheckDue())) {
            // the PBX read budget: for a settled user whose wanted state is unchanged a read can only turn up a
            // change made by hand, so it waits until the sink's recheck interval has passed (RESPECT keeps a DND
            // change; TEAMS_LEADS overrides it at that read; a chat text set by hand is written over then, as Teams
            // leads the text while one is wanted, and becomes the text restored afterwards)
            outcome = Outcome.RECHECK_LATER;
        }
        return new Step(next, outcome, want, wantChat, reason, steady, notes);
    }
}
