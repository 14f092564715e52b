package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.spi.PresenceWriter;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.graph.PresenceWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Graph presence writer through msal4j and the Graph SDK over HTTPS against the {@link GraphEmulator}: the
 * session is set, renewed and cleared as Microsoft documents it, and what Graph then serves is the aggregate.
 */
class GraphPresenceWriterIntegrationTest {

    private static final String APP = GraphTestSupport.APP;
    private final ManualClock clock = new ManualClock(Instant.now());
    private final GraphEmulator emu = GraphEmulator.builder().clock(clock).start().registerSecretClient(APP, GraphTestSupport.SECRET);
    private final String user = emu.addUser("anna@contoso.test", "Anna", true).id();

    @AfterEach
    void stop() {
        emu.close();
    }

    private GraphPresenceSource.Builder source() {
        return GraphTestSupport.secretSource(emu).clock(clock).random(new Random(3));
    }

    private static PresenceWriter writer(GraphPresenceSource source) {
        return source.presenceWriter().orElseThrow();
    }

    private TeamsPresence read(GraphPresenceSource source) {
        return source.readPresence(List.of(user)).values().get(user);
    }

    @Test
    void setsRenewsAndClearsTheAppsSessionAndGraphServesTheAggregate() {
        emu.setPresence(user, Availability.AVAILABLE, Activity.AVAILABLE);
        try (GraphPresenceSource source = source().build()) {
            source.open();
            PresenceWriter w = writer(source);

            w.setPresence(user, Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(1));

            PresenceWrite sent = emu.presenceWrites().get(0);
            assertThat(sent.kind()).isEqualTo(PresenceWrite.Kind.SET);
            assertThat(sent.sessionId()).as("app-only: the app's client id").isEqualTo(APP);
            assertThat(sent.availability()).isEqualTo("Busy");
            assertThat(sent.activity()).isEqualTo("InACall");
            assertThat(sent.expirationDuration()).isEqualTo("PT1H");
            assertThat(sent.accepted()).isTrue();
            TeamsPresence echo = read(source);
            assertThat(echo.availability()).isEqualTo(Availability.BUSY);
            assertThat(echo.activity()).isEqualTo(Activity.IN_A_CALL);

            clock.advance(Duration.ofMinutes(50));
            w.setPresence(user, Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(1));
            assertThat(emu.presenceSessions(user)).as("renewed, not a second session").hasSize(1);
            assertThat(emu.presenceSessions(user).get(APP)).endsWith("until " + clock.instant().plus(Duration.ofHours(1)));

            w.clearPresence(user);
            assertThat(emu.presenceSessions(user)).isEmpty();
            assertThat(read(source).availability()).isEqualTo(Availability.AVAILABLE);

            // Graph answers 404 for a session that no longer exists: not an error
            assertThatCode(() -> w.clearPresence(user)).doesNotThrowAnyException();
            assertThat(emu.presenceWrites()).extracting(PresenceWrite::status).containsExactly(200, 200, 200, 404);
        }
    }

    @Test
    void aSessionThatIsNotRenewedEndsByItself() {
        try (GraphPresenceSource source = source().build()) {
            source.open();
            writer(source).setPresence(user, Availability.DO_NOT_DISTURB, Activity.PRESENTING, PresenceWriter.MIN_SESSION);
            assertThat(read(source).activity()).isEqualTo(Activity.PRESENTING);

            clock.advance(PresenceWriter.MIN_SESSION);

            assertThat(read(source).availability()).isEqualTo(Availability.OFFLINE);
            assertThatCode(() -> writer(source).clearPresence(user)).doesNotThrowAnyException();
        }
    }

    @Test
    void refusesPairsAndExpirationsGraphDoesNotAcceptWithoutSendingAnything() {
        try (GraphPresenceSource source = source().build()) {
            source.open();
            PresenceWriter w = writer(source);
            assertThatThrownBy(() -> w.setPresence(user, Availability.BUSY, Activity.BUSY, Duration.ofHours(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Busy/Busy")
                    .hasMessageContaining("Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting");
            assertThatThrownBy(() -> w.setPresence(user, Availability.DO_NOT_DISTURB, Activity.DO_NOT_DISTURB, Duration.ofHours(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.setPresence(user, Availability.BUSY, Activity.IN_A_CALL, Duration.ofMinutes(4)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT5M and PT4H");
            assertThatThrownBy(() -> w.setPresence(user, Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(4).plusSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT5M and PT4H");
            assertThatThrownBy(() -> w.setPresence(user, Availability.BUSY, Activity.IN_A_CALL, null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.setPresence(" ", Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(emu.requestCount(GraphEmulator.SET_PRESENCE)).isZero();

            w.setPresence(user, Availability.BUSY, Activity.IN_A_CONFERENCE_CALL, PresenceWriter.MAX_SESSION);
            w.setPresence(user, Availability.AWAY, Activity.AWAY, PresenceWriter.MIN_SESSION);
            w.setPresence(user, Availability.AVAILABLE, Activity.AVAILABLE, PresenceWriter.MIN_SESSION);
            assertThat(emu.presenceWrites()).allMatch(PresenceWrite::accepted).hasSize(3);
        }
    }

    @Test
    void aMissingWritePermissionIsTerminalAndNamesThePermissionAndTheFix() {
        emu.grantPermissions(APP, GraphEmulator.READ_PERMISSIONS.toArray(String[]::new));
        try (GraphPresenceSource source = source().build()) {
            source.open();

            TerminalException e = catchThrowableOfType(() -> writer(source).setPresence(user, Availability.BUSY,
                    Activity.IN_A_CALL, Duration.ofHours(1)), TerminalException.class);

            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("403").contains("Presence.ReadWrite.All").contains("Application permissions")
                    .contains(emu.authorityHost() + "/" + emu.tenantId() + "/adminconsent?client_id=" + APP)
                    .doesNotContain(GraphTestSupport.SECRET);
            assertThat(read(source)).as("reads go on").isNotNull();
            assertThatThrownBy(() -> writer(source).clearPresence(user)).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("Presence.ReadWrite.All");
        }
    }

    @Test
    void anUnknownUserIsReportedAsSuch() {
        try (GraphPresenceSource source = source().build()) {
            source.open();
            String nobody = "00000000-0000-0000-0000-000000000001";
            assertThatThrownBy(() -> writer(source).setPresence(nobody, Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(1)))
                    .isInstanceOf(UnknownUserException.class).hasMessageContaining(nobody);
        }
    }

    @Test
    void aThrottledSetPresenceWaitsRetryAfterThenSucceeds() {
        // real time: the emulator checks the wait on System.nanoTime
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            emu.failNext(GraphEmulator.SET_PRESENCE, 1, 429, Duration.ofMillis(1200));

            writer(source).setPresence(user, Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(1));

            assertThat(emu.requestCount(GraphEmulator.SET_PRESENCE)).isEqualTo(2);
            assertThat(emu.earlyRequests()).as("nothing sent before Retry-After ended").isEmpty();
            assertThat(emu.presenceWrites()).singleElement().matches(PresenceWrite::accepted);
        }
    }

    @Test
    void aRetryAfterLongerThanTheBudgetEndsTheCallWithARetryableException() {
        try (GraphPresenceSource source = source().sleeper(clock::advance).presenceBudget(Duration.ofSeconds(5)).build()) {
            source.open();
            emu.failNext(GraphEmulator.SET_PRESENCE, 1, 429, Duration.ofSeconds(60));

            RetryableException e = catchThrowableOfType(() -> writer(source).setPresence(user, Availability.BUSY,
                    Activity.IN_A_CALL, Duration.ofHours(1)), RetryableException.class);

            assertThat(e).isNotNull();
            assertThat(e.retryAfter()).isPresent();
            assertThat(emu.requestCount(GraphEmulator.SET_PRESENCE)).isEqualTo(1);
        }
    }

    @Test
    void writesAndReadsShareOnePresencePacer() {
        // 2 requests per 30 s: from the first one on, requests are spaced 15 s apart, whoever sends them
        try (GraphPresenceSource source = source().sleeper(clock::advance).presenceRateLimit(2, Duration.ofSeconds(30)).build()) {
            source.open();
            read(source);
            Instant before = clock.instant();

            writer(source).setPresence(user, Availability.BUSY, Activity.IN_A_CALL, Duration.ofHours(1));

            assertThat(Duration.between(before, clock.instant())).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
            assertThat(emu.tooManyRequests()).isZero();
        }
    }

    @Test
    void checkNotesReadTheRolesClaim() {
        try (GraphPresenceSource source = source().build()) {
            source.open();
            List<CheckNote> notes = writer(source).checkNotes();
            assertThat(notes).singleElement().matches(n -> n.level() == CheckNote.Level.INFO
                    && n.text().contains("Presence.ReadWrite.All granted"));
        }
        emu.grantPermissions(APP, GraphEmulator.READ_PERMISSIONS.toArray(String[]::new));
        try (GraphPresenceSource source = source().build()) {
            source.open();
            assertThat(source.checkNotes()).as("the reads have what they need").noneMatch(n -> n.level() == CheckNote.Level.PROBLEM);
            List<CheckNote> notes = writer(source).checkNotes();
            assertThat(notes).singleElement().matches(n -> n.level() == CheckNote.Level.PROBLEM);
            assertThat(notes.get(0).text()).contains("missing application permission of Microsoft Graph: Presence.ReadWrite.All")
                    .contains("token claim roles: Presence.Read.All, User.Read.All")
                    .contains(emu.authorityHost() + "/" + emu.tenantId() + "/adminconsent?client_id=" + APP)
                    .doesNotContain(GraphTestSupport.SECRET);
        }
    }

    @Test
    void delegatedSignInOffersNoWriterAndCheckSaysWhy() {
        String publicApp = "99999999-8888-7777-6666-555555555555";
        emu.registerPublicClient(publicApp);
        emu.addUser("reader@contoso.test", "Reader", true, "Pa55-word!");
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(publicApp)
                .password("reader@contoso.test", "Pa55-word!").build()) {
            assertThat(source.presenceWriter()).isEmpty();
            source.open();
            assertThat(source.checkNotes()).anyMatch(n -> n.level() == CheckNote.Level.INFO
                    && n.text().contains("pbxToTeams") && n.text().contains("client-credentials"));
        }
    }
}
