package dev.teamsconnect.core.model;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Teams {@code availability} values as Microsoft Graph reports them. Parsing is case-insensitive;
 * a value Graph adds later parses to {@link #UNKNOWN} (the raw string is kept in {@link TeamsPresence}).
 */
public enum Availability {
    AVAILABLE("Available"),
    AVAILABLE_IDLE("AvailableIdle"),
    AWAY("Away"),
    BE_RIGHT_BACK("BeRightBack"),
    BUSY("Busy"),
    BUSY_IDLE("BusyIdle"),
    DO_NOT_DISTURB("DoNotDisturb"),
    OFFLINE("Offline"),
    /** Seen as an availability in Microsoft's own code, though not in the documented list. */
    OUT_OF_OFFICE("OutOfOffice"),
    PRESENCE_UNKNOWN("PresenceUnknown"),
    /** A value this version does not know; the raw string is kept next to it. */
    UNKNOWN("");

    private static final Map<String, Availability> BY_WIRE = Stream.of(values())
            .filter(v -> v != UNKNOWN)
            .collect(Collectors.toUnmodifiableMap(v -> v.wire.toLowerCase(Locale.ROOT), Function.identity()));

    private final String wire;

    Availability(String wire) {
        this.wire = wire;
    }

    /**
     * Where this availability stands in Graph's order of presence sessions, higher wins: DoNotDisturb > Busy >
     * Available > Away (graph-presence.md, "Writing presence"); the idle variants rank with their base, BeRightBack
     * with Away. Microsoft does not rank the others (Offline, OutOfOffice, PresenceUnknown): they are 0, below all.
     */
    public int sessionRank() {
        return switch (this) {
            case DO_NOT_DISTURB -> 4;
            case BUSY, BUSY_IDLE -> 3;
            case AVAILABLE, AVAILABLE_IDLE -> 2;
            case AWAY, BE_RIGHT_BACK -> 1;
            default -> 0;
        };
    }

    /** The PascalCase value Graph sends; empty for {@link #UNKNOWN}. */
    public String wireValue() {
        return wire;
    }

    /** Case-insensitive; {@code null}, blank or an unrecognised value gives {@link #UNKNOWN}. */
    public static Availability parse(String raw) {
        if (raw == null) {
            return UNKNOWN;
        }
        return BY_WIRE.getOrDefault(raw.trim().toLowerCase(Locale.ROOT), UNKNOWN);
    }
}
