package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.PresenceWriter;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of the PBX-to-Teams direction ({@code pbxToTeams} in the service's config): what a DND set at the
 * phone and a PBX call show in Teams, as the product's own presence session per user.
 *
 * @param dnd           what a DND set at the phone (not written by the engine) shows in Teams; {@link Show#OFF} =
 *                      nothing
 * @param calls         what a PBX call shows in Teams ({@link Show#OFF} or {@link Show#IN_A_CALL}), for sinks with
 *                      {@link dev.teamsconnect.core.model.Capability#PBX_CALLS}
 * @param sessionLength how long one session lasts unless renewed (5 min .. 4 h); renewed before it ends while the
 *                      cause lasts
 * @param readInterval  how often every user's DND is read from the PBX for {@code dnd}, spread evenly; not used
 *                      when the sink reports DND changes itself
 *                      ({@link dev.teamsconnect.core.model.Capability#DND_EVENTS})
 */
public record PbxToTeams(Show dnd, Show calls, Duration sessionLength, Duration readInterval) {

    /** Off in both ways, 1 h sessions, DND read every 60 s (the documented defaults). */
    public static final PbxToTeams OFF = new PbxToTeams(Show.OFF, Show.OFF, Duration.ofHours(1), Duration.ofSeconds(60));

    /** What a cause shows in Teams: a pair that Graph's {@code setPresence} accepts. */
    public enum Show {
        OFF("off", null, null),
        /** Busy / InACall. */
        IN_A_CALL("in-a-call", Availability.BUSY, Activity.IN_A_CALL),
        /** DoNotDisturb / Presenting. */
        PRESENTING("presenting", Availability.DO_NOT_DISTURB, Activity.PRESENTING);

        private final String code;
        private final Availability availability;
        private final Activity activity;

        Show(String code, Availability availability, Activity activity) {
            this.code = code;
            this.availability = availability;
            this.activity = activity;
        }

        /** The config value, e.g. {@code in-a-call}. */
        public String code() {
            return code;
        }

        public Availability availability() {
            return availability;
        }

        public Activity activity() {
            return activity;
        }
    }

    public PbxToTeams {
        Objects.requireNonNull(dnd, "pbxToTeams.dnd");
        Objects.requireNonNull(calls, "pbxToTeams.calls");
        if (calls == Show.PRESENTING) {
            throw new ConfigException("pbxToTeams.calls", "must be off or in-a-call, but was presenting");
        }
        if (sessionLength == null || sessionLength.compareTo(PresenceWriter.MIN_SESSION) < 0
                || sessionLength.compareTo(PresenceWriter.MAX_SESSION) > 0) {
            throw new ConfigException("pbxToTeams.sessionLength", "must be between 5m and 4h (what Graph accepts),"
                    + " but was " + sessionLength);
        }
        if (readInterval == null || readInterval.isNegative() || readInterval.isZero()) {
            throw new ConfigException("pbxToTeams.readInterval", "must be > 0, but was " + readInterval);
        }
    }

    /** Whether anything goes from the PBX to Teams. */
    public boolean enabled() {
        return dnd != Show.OFF || calls != Show.OFF;
    }
}
