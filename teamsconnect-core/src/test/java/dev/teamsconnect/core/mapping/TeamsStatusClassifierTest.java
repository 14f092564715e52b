package dev.teamsconnect.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TeamsStatusClassifierTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private final TeamsStatusClassifier classifier = TeamsStatusClassifier.INSTANCE;

    private PresenceCategory classify(Availability availability, Activity activity) {
        return classifier.classify(TeamsPresence.of("u1", availability, activity, T0));
    }

    private PresenceCategory classifyRaw(String availability, String activity, boolean outOfOffice) {
        return classifier.classify(TeamsPresence.parse("u1", availability, activity, null, outOfOffice, null, T0));
    }

    @ParameterizedTest
    @EnumSource(Availability.class)
    void aCallWinsWhateverTheAvailability(Availability availability) {
        assertThat(classify(availability, Activity.IN_A_CALL)).isEqualTo(PresenceCategory.IN_A_CALL);
        assertThat(classify(availability, Activity.IN_A_CONFERENCE_CALL)).isEqualTo(PresenceCategory.IN_A_CALL);
    }

    @ParameterizedTest
    @CsvSource({
            // the Teams UI states from the reference facts
            "Busy, InACall, IN_A_CALL",
            "Busy, InAConferenceCall, IN_A_CALL",
            "Busy, InAMeeting, BUSY",
            "DoNotDisturb, Presenting, DO_NOT_DISTURB",
            "Offline, OffWork, OFFLINE",
            // the usual pairs
            "Available, Available, AVAILABLE",
            "AvailableIdle, Available, AVAILABLE",
            "Away, Away, AWAY",
            "BeRightBack, BeRightBack, AWAY",
            "Busy, Busy, BUSY",
            "BusyIdle, Busy, BUSY",
            "DoNotDisturb, DoNotDisturb, DO_NOT_DISTURB",
            "DoNotDisturb, UrgentInterruptionsOnly, DO_NOT_DISTURB",
            "Offline, Offline, OFFLINE",
            "Away, OutOfOffice, AWAY",
            "OutOfOffice, OutOfOffice, AWAY",
            "PresenceUnknown, PresenceUnknown, UNKNOWN",
            // precedence between the two fields
            "Busy, Presenting, DO_NOT_DISTURB",
            "DoNotDisturb, InAMeeting, DO_NOT_DISTURB",
            "Away, InAMeeting, BUSY",
            "Available, Away, AWAY",
            "Offline, Available, OFFLINE",
            "Available, OffWork, OFFLINE",
            // idle markers carry no signal of their own
            "AvailableIdle, Inactive, AVAILABLE",
            "BusyIdle, Inactive, BUSY",
            "Away, Inactive, AWAY",
            "PresenceUnknown, Inactive, UNKNOWN",
            // unknown availability: the activity decides
            "PresenceUnknown, InAMeeting, BUSY",
            "PresenceUnknown, Away, AWAY",
    })
    void classifiesDocumentedPairs(String availability, String activity, PresenceCategory expected) {
        assertThat(classifyRaw(availability, activity, false)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "busy, inacall, IN_A_CALL",
            "BUSY, INAMEETING, BUSY",
            "dOnOtDiStUrB, presenting, DO_NOT_DISTURB",
            "' Away ', ' BeRightBack ', AWAY",
            "offline, OFFWORK, OFFLINE",
            "AVAILABLEIDLE, available, AVAILABLE",
    })
    void parsesValuesCaseInsensitively(String availability, String activity, PresenceCategory expected) {
        assertThat(classifyRaw(availability, activity, false)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "Busy, SomethingNewFromGraph, BUSY",
            "Away, FocusTime, AWAY",
            "Available, , AVAILABLE",
            "Offline, '', OFFLINE",
            "SomethingNew, InACall, IN_A_CALL",
            "Focusing, InAMeeting, BUSY",
            ", Presenting, DO_NOT_DISTURB",
            "SomethingNew, SomethingElse, UNKNOWN",
            "PresenceUnknown, SomethingElse, UNKNOWN",
            ", , UNKNOWN",
    })
    void unknownRawValuesFallBackToTheOtherField(String availability, String activity, PresenceCategory expected) {
        assertThat(classifyRaw(availability, activity, false)).isEqualTo(expected);
    }

    @Test
    void keepsUnknownRawValuesInTheLabel() {
        TeamsPresence p = TeamsPresence.parse("u1", "Busy", "FocusTime", null, false, null, T0);
        assertThat(p.activity()).isEqualTo(Activity.UNKNOWN);
        assertThat(p.label()).isEqualTo("Busy/FocusTime");
        assertThat(classifier.classify(p)).isEqualTo(PresenceCategory.BUSY);
    }

    @Test
    void everyPairFollowsThePrecedenceOfItsTwoValues() {
        // The independent statement of the rule: the result is the higher-ranked of the two value categories.
        List<PresenceCategory> order = TeamsStatusClassifier.precedence();
        int pairs = 0;
        for (Availability av : Availability.values()) {
            for (Activity ac : Activity.values()) {
                PresenceCategory a = classifier.rule(av).category();
                PresenceCategory b = classifier.rule(ac).category();
                PresenceCategory expected = order.indexOf(a) < order.indexOf(b) ? a : b;
                assertThat(classify(av, ac)).as("%s/%s", av, ac).isEqualTo(expected);
                pairs++;
            }
        }
        assertThat(pairs).isEqualTo(Availability.values().length * Activity.values().length);
    }

    @Test
    void everyActivityMapsToTheRequiredCategory() {
        assertThat(classifier.rule(Activity.IN_A_CALL).category()).isEqualTo(PresenceCategory.IN_A_CALL);
        assertThat(classifier.rule(Activity.IN_A_CONFERENCE_CALL).category()).isEqualTo(PresenceCategory.IN_A_CALL);
        for (Activity a : Set.of(Activity.PRESENTING, Activity.URGENT_INTERRUPTIONS_ONLY, Activity.DO_NOT_DISTURB)) {
            assertThat(classifier.rule(a).category()).as(a.name()).isEqualTo(PresenceCategory.DO_NOT_DISTURB);
        }
        for (Activity a : Set.of(Activity.BUSY, Activity.IN_A_MEETING)) {
            assertThat(classifier.rule(a).category()).as(a.name()).isEqualTo(PresenceCategory.BUSY);
        }
        for (Activity a : Set.of(Activity.AWAY, Activity.BE_RIGHT_BACK, Activity.OUT_OF_OFFICE)) {
            assertThat(classifier.rule(a).category()).as(a.name()).isEqualTo(PresenceCategory.AWAY);
        }
        for (Activity a : Set.of(Activity.OFFLINE, Activity.OFF_WORK)) {
            assertThat(classifier.rule(a).category()).as(a.name()).isEqualTo(PresenceCategory.OFFLINE);
        }
        assertThat(classifier.rule(Activity.AVAILABLE).category()).isEqualTo(PresenceCategory.AVAILABLE);
        for (Activity a : Set.of(Activity.INACTIVE, Activity.PRESENCE_UNKNOWN, Activity.UNKNOWN)) {
            assertThat(classifier.rule(a).category()).as(a.name()).isEqualTo(PresenceCategory.UNKNOWN);
        }
    }

    @Test
    void everyPairWithAKnownSignalIsClassified() {
        for (TeamsStatusClassifier.Row row : classifier.table()) {
            boolean anySignal = classifier.rule(row.availability()).category() != PresenceCategory.UNKNOWN
                    || classifier.rule(row.activity()).category() != PresenceCategory.UNKNOWN;
            assertThat(row.category() != PresenceCategory.UNKNOWN).as(row.toString()).isEqualTo(anySignal);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "Offline, Offline, AWAY",
            "Offline, OffWork, AWAY",
            "PresenceUnknown, PresenceUnknown, AWAY",
            "Available, Available, AVAILABLE",
            "Busy, InACall, IN_A_CALL",
            "Busy, InAMeeting, BUSY",
            "Away, Away, AWAY",
    })
    void outOfOfficeFlagLiftsOnlyOfflineAndUnknownToAway(String availability, String activity,
                                                         PresenceCategory expected) {
        assertThat(classifyRaw(availability, activity, true)).isEqualTo(expected);
    }

    @Test
    void tableCoversEveryPairOnceWithAReason() {
        List<TeamsStatusClassifier.Row> table = classifier.table();
        assertThat(table).hasSize(Availability.values().length * Activity.values().length);
        assertThat(table.stream().map(r -> r.availability() + "/" + r.activity()).distinct()).hasSize(table.size());
        for (TeamsStatusClassifier.Row row : table) {
            assertThat(row.reason()).as(row.toString()).isNotBlank();
            assertThat(row.category()).isEqualTo(classify(row.availability(), row.activity()));
            assertThat(row.categoryWhenOutOfOffice())
                    .isEqualTo(classifier.classify(row.availability(), row.activity(), true));
        }
    }

    @Test
    void reasonNamesTheDecidingField() {
        assertThat(classifier.explain(Availability.AVAILABLE, Activity.IN_A_CALL).reason())
                .isEqualTo("activity IN_A_CALL outranks availability AVAILABLE");
        assertThat(classifier.explain(Availability.DO_NOT_DISTURB, Activity.IN_A_MEETING).reason())
                .isEqualTo("availability DO_NOT_DISTURB outranks activity BUSY");
        assertThat(classifier.explain(Availability.BUSY, Activity.UNKNOWN).reason())
                .startsWith("availability decides; activity (unknown value) carries no signal");
        assertThat(classifier.explain(Availability.BUSY, Activity.BUSY).reason()).isEqualTo("both mean BUSY");
    }

    @Test
    void precedenceListsEveryCategoryOnceCallFirstUnknownLast() {
        List<PresenceCategory> order = TeamsStatusClassifier.precedence();
        assertThat(EnumSet.copyOf(order)).isEqualTo(EnumSet.allOf(PresenceCategory.class));
        assertThat(order).hasSize(PresenceCategory.values().length)
                .startsWith(PresenceCategory.IN_A_CALL, PresenceCategory.DO_NOT_DISTURB, PresenceCategory.BUSY,
                        PresenceCategory.AWAY, PresenceCategory.OFFLINE, PresenceCategory.AVAILABLE)
                .endsWith(PresenceCategory.UNKNOWN);
    }

    @Test
    void nullValuesCountAsUnknown() {
        assertThat(classifier.classify(null, null, false)).isEqualTo(PresenceCategory.UNKNOWN);
        assertThat(classifier.classify(Availability.BUSY, null, false)).isEqualTo(PresenceCategory.BUSY);
    }
}
