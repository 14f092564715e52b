package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The default {@link PresenceClassifier}: puts every Teams (availability, activity) pair into one
 * {@link PresenceCategory}.
 *
 * <p>How it decides: each value on its own means one category (see {@link #availabilityRules()} and
 * {@link #activityRules()}); of the two, the category that comes first in {@link #precedence()} wins
 * (a call beats presenting/DND beats a meeting/busy beats away beats offline beats available beats unknown).
 * Values that carry no signal of their own ({@code Inactive}, {@code PresenceUnknown}, values this version does
 * not know) mean {@link PresenceCategory#UNKNOWN}, which ranks last, so the other value decides; when both say
 * nothing the result is UNKNOWN. The out-of-office flag only lifts OFFLINE and UNKNOWN to AWAY (see
 * {@link #OUT_OF_OFFICE_RULE}).
 *
 * <p>The whole table is available as data ({@link #table()}) so that {@code docs/status-mapping.md} is rendered
 * from this class ({@link StatusMappingDocument}) and a test fails when the document drifts.
 *
 * <p>Stateless, immutable and thread-safe; {@link #INSTANCE} can be shared.
 */
public final class TeamsStatusClassifier implements PresenceClassifier {

    /** The shared instance. */
    public static final TeamsStatusClassifier INSTANCE = new TeamsStatusClassifier();

    /** Highest first. */
    private static final List<PresenceCategory> PRECEDENCE = List.of(
            PresenceCategory.IN_A_CALL,
            PresenceCategory.DO_NOT_DISTURB,
            PresenceCategory.BUSY,
            PresenceCategory.AWAY,
            PresenceCategory.OFFLINE,
            PresenceCategory.AVAILABLE,
            PresenceCategory.UNKNOWN);

    /** How the out-of-office flag (automatic replies) changes the category. */
    public static final String OUT_OF_OFFICE_RULE = "The out-of-office flag (automatic replies on) lifts OFFLINE and"
            + " UNKNOWN to AWAY: Teams itself shows such a user as out of office. Any live state (AVAILABLE and"
            + " above) wins over the flag, because people often keep working with automatic replies on; when Teams"
            + " means the absence it reports OutOfOffice as the activity or availability, which is AWAY anyway.";

    /**
     * What one Teams value means on its own.
     *
     * @param field    {@code availability} or {@code activity}
     * @param value    the Graph wire value, or {@code (unknown value)} for values this version does not know
     * @param category the category this value stands for; UNKNOWN means "no signal, the other field decides"
     * @param reason   why
     */
    public record ValueRule(String field, String value, PresenceCategory category, String reason) {
    }

    /**
     * One row of the full classification table.
     *
     * @param availability              the availability
     * @param activity                  the activity
     * @param category                  the category without the out-of-office flag
     * @param categoryWhenOutOfOffice   the category when the out-of-office flag is set
     * @param reason                    which value decided and why
     */
    public record Row(Availability availability, Activity activity, PresenceCategory category,
                      PresenceCategory categoryWhenOutOfOffice, String reason) {
    }

    private static final Map<Availability, ValueRule> AVAILABILITY_RULES = new EnumMap<>(Availability.class);
    private static final Map<Activity, ValueRule> ACTIVITY_RULES = new EnumMap<>(Activity.class);

    static {
        for (Availability a : Availability.values()) {
            AVAILABILITY_RULES.put(a, availabilityRule(a));
        }
        for (Activity a : Activity.values()) {
            ACTIVITY_RULES.put(a, activityRule(a));
        }
    }

    private TeamsStatusClassifier() {
    }

    /** The shared instance (same as {@link #INSTANCE}). */
    public static TeamsStatusClassifier defaults() {
        return INSTANCE;
    }

    /** All categories, highest precedence first. */
    public static List<PresenceCategory> precedence() {
        return PRECEDENCE;
    }

    /** The higher-precedence of two categories. */
    public static PresenceCategory stronger(PresenceCategory a, PresenceCategory b) {
        return PRECEDENCE.indexOf(a) <= PRECEDENCE.indexOf(b) ? a : b;
    }

    @Override
    public PresenceCategory classify(TeamsPresence presence) {
        Objects.requireNonNull(presence, "presence");
        return classify(presence.availability(), presence.activity(), presence.outOfOffice());
    }

    /** Classifies parsed values; {@code null} counts as unknown. */
    public PresenceCategory classify(Availability availability, Activity activity, boolean outOfOffice) {
        PresenceCategory fromAvailability = rule(availability).category();
        PresenceCategory fromActivity = rule(activity).category();
        PresenceCategory category = stronger(fromActivity, fromAvailability);
        if (outOfOffice && (category == PresenceCategory.OFFLINE || category == PresenceCategory.UNKNOWN)) {
            return PresenceCategory.AWAY;
        }
        return category;
    }

    /** What each availability value means on its own, in enum order (UNKNOWN last). */
    public List<ValueRule> availabilityRules() {
        return List.copyOf(AVAILABILITY_RULES.values());
    }

    /** What each activity value means on its own, in enum order (UNKNOWN last). */
    public List<ValueRule> activityRules() {
        return List.copyOf(ACTIVITY_RULES.values());
    }

    /** The rule for one availability value; {@code null} counts as unknown. */
    public ValueRule rule(Availability availability) {
        return AVAILABILITY_RULES.get(availability == null ? Availability.UNKNOWN : availability);
    }

    /** The rule for one activity value; {@code null} counts as unknown. */
    public ValueRule rule(Activity activity) {
        return ACTIVITY_RULES.get(activity == null ? Activity.UNKNOWN : activity);
    }

    /** Every (availability, activity) pair, including the UNKNOWN constants, availability-major in enum order. */
    public List<Row> table() {
        List<Row> rows = new ArrayList<>(Availability.values().length * Activity.values().length);
        for (Availability availability : Availability.values()) {
            for (Activity activity : Activity.values()) {
                rows.add(explain(availability, activity));
            }
        }
        return List.copyOf(rows);
    }

    /** The table row for one pair: both categories and which value decided. */
    public Row explain(Availability availability, Activity activity) {
        ValueRule av = rule(availability);
        ValueRule ac = rule(activity);
        PresenceCategory category = classify(availability, activity, false);
        PresenceCategory withOoo = classify(availability, activity, true);
        String reason;
        if (category == PresenceCategory.UNKNOWN) {
            reason = "neither value says anything: " + describe(av) + ", " + describe(ac);
        } else if (av.category() == ac.category()) {
            reason = "both mean " + category.code();
        } else if (av.category() == PresenceCategory.UNKNOWN) {
            reason = "activity decides; " + describe(av);
        } else if (ac.category() == PresenceCategory.UNKNOWN) {
            reason = "availability decides; " + describe(ac);
        } else if (category == ac.category()) {
            reason = "activity " + ac.category().code() + " outranks availability " + av.category().code();
        } else {
            reason = "availability " + av.category().code() + " outranks activity " + ac.category().code();
        }
        return new Row(availability == null ? Availability.UNKNOWN : availability,
                activity == null ? Activity.UNKNOWN : activity, category, withOoo, reason);
    }

    private static String describe(ValueRule rule) {
        return rule.field() + " " + rule.value() + " carries no signal";
    }

    static String wireOrUnknown(String wire) {
        return wire.isEmpty() ? "(unknown value)" : wire;
    }

    // Switch expressions without default: adding an enum constant breaks the build until it is classified here.
    private static ValueRule availabilityRule(Availability a) {
        String v = wireOrUnknown(a.wireValue());
        return switch (a) {
            case AVAILABLE -> new ValueRule("availability", v, PresenceCategory.AVAILABLE, "the user can take calls");
            case AVAILABLE_IDLE -> new ValueRule("availability", v, PresenceCategory.AVAILABLE,
                    "available but the computer is idle; the user did not choose away, so the phone may ring");
            case AWAY -> new ValueRule("availability", v, PresenceCategory.AWAY, "away from the computer");
            case BE_RIGHT_BACK -> new ValueRule("availability", v, PresenceCategory.AWAY, "briefly away");
            case BUSY -> new ValueRule("availability", v, PresenceCategory.BUSY,
                    "busy (chosen, in a meeting or, together with a call activity, in a call)");
            case BUSY_IDLE -> new ValueRule("availability", v, PresenceCategory.BUSY,
                    "busy while the computer is idle: still busy");
            case DO_NOT_DISTURB -> new ValueRule("availability", v, PresenceCategory.DO_NOT_DISTURB,
                    "do not disturb (chosen, presenting or focusing)");
            case OFFLINE -> new ValueRule("availability", v, PresenceCategory.OFFLINE,
                    "signed out of Teams or appearing offline");
            case OUT_OF_OFFICE -> new ValueRule("availability", v, PresenceCategory.AWAY,
                    "not documented as an availability but seen in Microsoft's code; out of office is away");
            case PRESENCE_UNKNOWN -> new ValueRule("availability", v, PresenceCategory.UNKNOWN,
                    "Teams does not know; the activity decides");
            case UNKNOWN -> new ValueRule("availability", v, PresenceCategory.UNKNOWN,
                    "a value this version does not know; the activity decides");
        };
    }

    private static ValueRule activityRule(Activity a) {
        String v = wireOrUnknown(a.wireValue());
        return switch (a) {
            case AVAILABLE -> new ValueRule("activity", v, PresenceCategory.AVAILABLE, "the user can take calls");
            case AWAY -> new ValueRule("activity", v, PresenceCategory.AWAY, "away from the computer");
            case BE_RIGHT_BACK -> new ValueRule("activity", v, PresenceCategory.AWAY, "briefly away");
            case BUSY -> new ValueRule("activity", v, PresenceCategory.BUSY, "busy");
            case DO_NOT_DISTURB -> new ValueRule("activity", v, PresenceCategory.DO_NOT_DISTURB, "do not disturb");
            case IN_A_CALL -> new ValueRule("activity", v, PresenceCategory.IN_A_CALL,
                    "in a Teams call: beats every availability");
            case IN_A_CONFERENCE_CALL -> new ValueRule("activity", v, PresenceCategory.IN_A_CALL,
                    "in a Teams conference call: beats every availability");
            case INACTIVE -> new ValueRule("activity", v, PresenceCategory.UNKNOWN,
                    "only says the computer is idle; the availability says whether that is available, busy or away");
            case IN_A_MEETING -> new ValueRule("activity", v, PresenceCategory.BUSY, "in a meeting");
            case OFFLINE -> new ValueRule("activity", v, PresenceCategory.OFFLINE, "signed out of Teams");
            case OFF_WORK -> new ValueRule("activity", v, PresenceCategory.OFFLINE,
                    "off work / appearing offline");
            case OUT_OF_OFFICE -> new ValueRule("activity", v, PresenceCategory.AWAY, "out of office");
            case PRESENCE_UNKNOWN -> new ValueRule("activity", v, PresenceCategory.UNKNOWN,
                    "Teams does not know; the availability decides");
            case PRESENTING -> new ValueRule("activity", v, PresenceCategory.DO_NOT_DISTURB,
                    "presenting: the user must not be interrupted");
            case URGENT_INTERRUPTIONS_ONLY -> new ValueRule("activity", v, PresenceCategory.DO_NOT_DISTURB,
                    "only urgent interruptions: a do-not-disturb variant");
            case UNKNOWN -> new ValueRule("activity", v, PresenceCategory.UNKNOWN,
                    "a value this version does not know; the availability decides");
        };
    }

    @Override
    public String toString() {
        return "TeamsStatusClassifier" + Arrays.toString(PRECEDENCE.toArray());
    }
}
