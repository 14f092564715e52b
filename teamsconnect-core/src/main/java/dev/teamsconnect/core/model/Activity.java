package dev.teamsconnect.core.model;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Teams {@code activity} values as Microsoft Graph reports them. Parsing is case-insensitive;
 * a value Graph adds later parses to {@link #UNKNOWN} (the raw string is kept in {@link TeamsPresence}).
 */
public enum Activity {
    AVAILABLE("Available"),
    AWAY("Away"),
    BE_RIGHT_BACK("BeRightBack"),
    BUSY("Busy"),
    DO_NOT_DISTURB("DoNotDisturb"),
    IN_A_CALL("InACall"),
    IN_A_CONFERENCE_CALL("InAConferenceCall"),
    INACTIVE("Inactive"),
    IN_A_MEETING("InAMeeting"),
    OFFLINE("Offline"),
    OFF_WORK("OffWork"),
    OUT_OF_OFFICE("OutOfOffice"),
    PRESENCE_UNKNOWN("PresenceUnknown"),
    PRESENTING("Presenting"),
    URGENT_INTERRUPTIONS_ONLY("UrgentInterruptionsOnly"),
    /** A value this version does not know; the raw string is kept next to it. */
    UNKNOWN("");

    private static final Map<String, Activity> BY_WIRE = Stream.of(values())
            .filter(v -> v != UNKNOWN)
            .collect(Collectors.toUnmodifiableMap(v -> v.wire.toLowerCase(Locale.ROOT), Function.identity()));

    private final String wire;

    Activity(String wire) {
        this.wire = wire;
    }

    /** The PascalCase value Graph sends; empty for {@link #UNKNOWN}. */
    public String wireValue() {
        return wire;
    }

    /** Case-insensitive; {@code null}, blank or an unrecognised value gives {@link #UNKNOWN}. */
    public static Activity parse(String raw) {
        if (raw == null) {
            return UNKNOWN;
        }
        return BY_WIRE.getOrDefault(raw.trim().toLowerCase(Locale.ROOT), UNKNOWN);
    }
}
