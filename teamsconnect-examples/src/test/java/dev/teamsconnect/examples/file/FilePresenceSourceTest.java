package dev.teamsconnect.examples.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePresenceSourceTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        Path file = dir.resolve("presence.csv");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    private FilePresenceSource open(Path file) {
        FilePresenceSource source = new FilePresenceSource(file, new ManualClock(T0));
        source.open();
        return source;
    }

    @Test
    void readsQuotedValuesOptionalColumnsAnyColumnOrderAndStampsWithTheClock() throws IOException {
        Path file = write(
                "\uFEFF# test file",
                "",
                "activity,availability,id,name,mail,statusMessage",
                "InAMeeting,busy,42,\"Example, Alice \"\"Al\"\"\",alice@example.com,back at 3",
                "Available,Available,43,,,");
        FilePresenceSource source = open(file);
        List<TeamsUser> users = source.listUsers();
        assertThat(users).extracting(TeamsUser::id).containsExactly("42", "43");
        assertThat(users.get(0).displayName()).isEqualTo("Example, Alice \"Al\"");
        assertThat(users.get(0).mail()).isEqualTo("alice@example.com");
        assertThat(users.get(0).enabled()).isTrue();
        assertThat(users.get(1).displayName()).isEqualTo("43");
        TeamsPresence p = source.readPresence(List.of("42")).values().get("42");
        assertThat(p.availability()).isEqualTo(Availability.BUSY);
        assertThat(p.activity()).isEqualTo(Activity.IN_A_MEETING);
        assertThat(p.statusMessage()).isEqualTo("back at 3");
        assertThat(p.observedAt()).isEqualTo(T0);
    }

    @Test
    void unknownIdIsAPerUserFailure() throws IOException {
        FilePresenceSource source = open(write("id,availability,activity", "1,Away,Away"));
        BatchResult<TeamsPresence> result = source.readPresence(List.of("1", "nope"));
        assertThat(result.values()).containsOnlyKeys("1");
        assertThat(result.failures().get("nope")).isInstanceOf(UnknownUserException.class);
    }

    @Test
    void badRowNamesFileAndLineAndKeepsTheLastGoodContent() throws IOException {
        Path file = write("id,availability,activity", "1,Busy,InACall");
        FilePresenceSource source = open(file);
        FileTime before = Files.getLastModifiedTime(file);
        Files.write(file, List.of("id,availability,activity", "1,Busy,InACall", "2,Bsy,InACall"), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));

        assertThatThrownBy(() -> source.readPresence(List.of("1")))
                .isInstanceOf(RetryableException.class)
                .hasMessageContaining(file + " line 3: availability \"Bsy\" of user 2 is not a Teams availability")
                .hasMessageContaining("Busy");
        // still broken: reported again (not silently treated as the old content or as empty)
        assertThatThrownBy(source::listUsers).hasMessageContaining("line 3");

        Files.write(file, List.of("id,availability,activity", "1,Available,Available", "2,Busy,InACall"), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 4000));
        assertThat(source.readPresence(List.of("1", "2")).values()).hasSize(2);
        assertThat(source.readPresence(List.of("1")).values().get("1").availability()).isEqualTo(Availability.AVAILABLE);
    }

    @Test
    void reportsEachKindOfBadFileWithItsLine() throws IOException {
        assertBad(new String[] {"id,availability,activity", "1,Busy"}, "line 2: has 2 values, but the header has 3 columns");
        assertBad(new String[] {"id,availability,activity", "1,Busy,Busy", "1,Away,Away"},
                "line 3: id \"1\" was already used on line 2");
        assertBad(new String[] {"id,availability,activty"}, "line 1: unknown column \"activty\"");
        assertBad(new String[] {"id,availability"}, "line 1: the header lacks the required column \"activity\"");
        assertBad(new String[] {"id,availability,activity", ",Busy,Busy"}, "line 2: id is empty");
        assertBad(new String[] {"id,availability,activity", "1,Busy,OnThePhone"},
                "line 2: activity \"OnThePhone\" of user 1 is not a Teams activity");
        assertBad(new String[] {"id,availability,activity,enabled", "1,Busy,Busy,maybe"},
                "line 2: enabled must be true or false");
        assertBad(new String[] {"id,availability,activity", "1,\"Busy,Busy"}, "line 2: a quoted value is not closed");
        assertBad(new String[] {"# only a comment"}, "has no header line");
    }

    private void assertBad(String[] lines, String message) throws IOException {
        Path file = write(lines);
        FilePresenceSource source = new FilePresenceSource(file, new ManualClock(T0));
        assertThatThrownBy(source::open).isInstanceOf(RetryableException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining(message);
    }

    @Test
    void missingFileIsReportedWithItsPath() {
        Path missing = dir.resolve("nope.csv");
        assertThatThrownBy(() -> open(missing)).isInstanceOf(RetryableException.class)
                .hasMessage(missing + ": presence file does not exist");
    }

    @Test
    void providerRequiresThePathAndDoesNoIo() {
        assertThatThrownBy(() -> new FileSourceProvider().create(ProviderConfig.empty("file")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("file.path: is required")
                .hasMessageContaining("CSV file");
        // a missing file is only reported when the source opens
        assertThat(new FileSourceProvider().create(new ProviderConfig("file", Map.of("path", dir.resolve("later.csv").toString()))))
                .isNotNull();
    }
}
