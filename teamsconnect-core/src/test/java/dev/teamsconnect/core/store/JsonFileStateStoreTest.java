package dev.teamsconnect.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileStateStoreTest {

    private static final Instant T = Instant.parse("2026-11-27T10:15:30.123456789Z");
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Hold held(String id) {
        return new Hold(id, Hold.Kind.HELD, false, true, null, null, true, T);
    }

    private static Hold tricky() {
        return new Hold("user \"7\"\\x", Hold.Kind.MANUAL, true, false, "Im Gespräch 📞\n\t\u0001 «quoted»",
                "On a call in MS Teams / \u2028", false, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void missingFileIsAnEmptyStore() {
        JsonFileStateStore store = new JsonFileStateStore(dir.resolve("state.json"));
        assertThat(store.load()).isEmpty();
        assertThat(dir.resolve("state.json")).doesNotExist();
    }

    @Test
    void claimRemovesTemporaryFilesOfAKilledWriteAndKeepsTheStateFile() throws IOException {
        Path file = dir.resolve("state.json");
        new JsonFileStateStore(file).commit(List.of(held("1")), List.of());
        Path leftover = Files.writeString(dir.resolve(".state.json.123456.tmp"), "{\"format\":\"teamsc");
        Path unrelated = Files.writeString(dir.resolve(".other.json.1.tmp"), "x");

        JsonFileStateStore store = new JsonFileStateStore(file);
        assertThat(store.load()).containsOnlyKeys("1");
        assertThat(leftover).as("a reader that is not the writer leaves it alone").exists();
        store.claim(java.util.Optional.empty());
        store.close();
        assertThat(leftover).doesNotExist();
        assertThat(unrelated).as("only this store's temporary files").exists();
    }

    @Test
    void roundTripsHoldsThroughTheFile() {
        Path file = dir.resolve("sub/state.json");
        JsonFileStateStore store = new JsonFileStateStore(file);
        store.commit(List.of(held("1"), held("2"), tricky()), List.of());
        store.commit(List.of(held("3")), List.of("2"));

        Map<String, Hold> loaded = new JsonFileStateStore(file).load();
        assertThat(loaded).containsOnlyKeys("1", "3", tricky().pbxUserId());
        assertThat(loaded.get(tricky().pbxUserId())).isEqualTo(tricky());
        assertThat(loaded.get("1")).isEqualTo(held("1"));
    }

    @Test
    void writtenFileIsValidJsonForAnotherParser() throws IOException {
        Path file = dir.resolve("state.json");
        new JsonFileStateStore(file).commit(List.of(tricky(), held("1")), List.of());
        JsonNode root = JACKSON.readTree(file.toFile());
        assertThat(root.get("format").asText()).isEqualTo("teamsconnect-state");
        assertThat(root.get("version").asInt()).isEqualTo(2);
        assertThat(root.get("pbx").isNull()).isTrue();
        JsonNode h = root.get("holds").get(0);
        assertThat(h.get("pbxUserId").asText()).isEqualTo(tricky().pbxUserId());
        assertThat(h.get("kind").asText()).isEqualTo("manual");
        assertThat(h.get("priorChatStatus").asText()).isEqualTo(tricky().priorChatStatus());
        assertThat(h.get("writtenChatStatus").asText()).isEqualTo(tricky().writtenChatStatus());
        assertThat(h.get("since").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(root.get("holds").get(1).get("writtenChatStatus").isNull()).isTrue();
    }

    @Test
    void readsADocumentAnotherWriterProduced() throws IOException {
        ObjectNode root = JACKSON.createObjectNode();
        ObjectNode h = JACKSON.createObjectNode();
        h.put("since", "2026-11-27T10:15:30.123456789Z").put("confirmed", true).putNull("writtenChatStatus")
                .put("priorChatStatus", "Bin da \u00e4 \"x\"").put("writtenDnd", true).put("priorDnd", false)
                .put("kind", "held").put("pbxUserId", "42");
        root.putArray("holds").add(h);
        root.put("version", 1).put("format", "teamsconnect-state");
        Path file = dir.resolve("state.json");
        Files.writeString(file, JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        assertThat(new JsonFileStateStore(file).load().get("42"))
                .isEqualTo(new Hold("42", Hold.Kind.HELD, false, true, "Bin da \u00e4 \"x\"", null, true, T));
    }

    @Test
    void truncatedFileIsDetectedAtEveryOffset() throws IOException {
        Path file = dir.resolve("state.json");
        new JsonFileStateStore(file).commit(List.of(held("1"), tricky(), held("3")), List.of());
        byte[] full = Files.readAllBytes(file);
        Map<String, Hold> complete = new JsonFileStateStore(file).load();
        assertThat(complete).hasSize(3);
        for (int len = 0; len < full.length; len++) {
            Files.write(file, Arrays.copyOf(full, len));
            JsonFileStateStore store = new JsonFileStateStore(file);
            try {
                Map<String, Hold> loaded = store.load();
                // Only a cut that loses nothing but trailing whitespace may load, and then with all content.
                assertThat(loaded).as("truncated to %d of %d bytes", len, full.length).isEqualTo(complete);
            } catch (StateStoreException e) {
                assertThat(e.getMessage()).contains(file.toString()).contains("move it away");
            }
        }
    }

    @Test
    void corruptFileIsNeverOverwrittenByACommit() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[");
        JsonFileStateStore store = new JsonFileStateStore(file);
        assertThatThrownBy(() -> store.commit(List.of(held("1")), List.of())).isInstanceOf(StateStoreException.class);
        assertThat(Files.readString(file)).isEqualTo("{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[");
    }

    @Test
    void errorNamesLineAndColumn() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\n\"version\":1,\n\"holds\":[}\n");
        assertThatThrownBy(() -> new JsonFileStateStore(file).load())
                .isInstanceOf(StateStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3, column 10")
                .hasMessageContaining("users currently held may need DND switched off by hand");
    }

    @Test
    void foreignJsonIsRefused() throws IOException {
        Path file = dir.resolve("state.json");
        for (String foreign : List.of("{\"name\":\"my-app\",\"version\":\"1.0.0\"}", "[]", "42", "\"holds\"", "null",
                "{\"format\":\"teamsconnect-config\",\"version\":1,\"holds\":[]}", "")) {
            Files.writeString(file, foreign);
            assertThatThrownBy(() -> new JsonFileStateStore(file).load()).as(foreign)
                    .isInstanceOf(StateStoreException.class).hasMessageContaining(file.toString());
        }
    }

    @Test
    void newerVersionIsRefusedWithAnUpgradeHint() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":4,\"pbx\":null,\"holds\":[]}");
        assertThatThrownBy(() -> new JsonFileStateStore(file).load())
                .isInstanceOf(StateStoreException.class).hasMessageContaining("newer").hasMessageContaining("version 4");
    }

    @Test
    void sessionsAreKeptWithTheHoldsAndAFileWithoutThemStaysVersion2() throws IOException {
        Path file = dir.resolve("state.json");
        JsonFileStateStore store = new JsonFileStateStore(file);
        store.claim(java.util.Optional.of("pbx-a"));
        Hold hold = new Hold("17", Hold.Kind.HELD, false, true, null, null, true, Instant.parse("2026-01-01T10:00:00Z"));
        store.commit(List.of(hold), List.of());
        assertThat(Files.readString(file)).contains("\"version\":2").doesNotContain("sessions");
        dev.teamsconnect.core.spi.TeamsSession session = new dev.teamsconnect.core.spi.TeamsSession("18", "t-18",
                dev.teamsconnect.core.spi.TeamsSession.Cause.PBX_DND, dev.teamsconnect.core.model.Availability.BUSY,
                dev.teamsconnect.core.model.Activity.IN_A_CALL, Instant.parse("2026-01-01T10:00:00Z"),
                Instant.parse("2026-01-01T11:00:00Z"));
        store.commitSessions(List.of(session), List.of());
        assertThat(Files.readString(file)).contains("\"version\":3").contains("\"cause\":\"pbx-dnd\"");
        store.close();

        JsonFileStateStore again = new JsonFileStateStore(file);
        assertThat(again.load()).containsEntry("17", hold);
        assertThat(again.loadSessions()).containsExactly(java.util.Map.entry("18", session));
        again.claim(java.util.Optional.of("pbx-a"));
        again.commitSessions(List.of(), List.of("18"));
        again.close();
        assertThat(Files.readString(file)).contains("\"version\":2").doesNotContain("sessions");
        assertThat(new JsonFileStateStore(file).load()).containsEntry("17", hold);
    }

    @Test
    void aDamagedSessionIsRefusedWithItsPath() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":3,\"pbx\":null,\"holds\":[],"
                + "\"sessions\":[{\"pbxUserId\":\"1\",\"teamsUserId\":\"t\",\"cause\":\"teams-call\","
                + "\"availability\":\"Busy\",\"activity\":\"InACall\",\"since\":\"2026-01-01T10:00:00Z\","
                + "\"expiresAt\":\"2026-01-01T11:00:00Z\"}]}");
        assertThatThrownBy(() -> new JsonFileStateStore(file).load())
                .isInstanceOf(StateStoreException.class).hasMessageContaining("sessions[0]")
                .hasMessageContaining("teams-call");
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":3,\"pbx\":null,\"holds\":[]}");
        assertThatThrownBy(() -> new JsonFileStateStore(file).load())
                .isInstanceOf(StateStoreException.class).hasMessageContaining("\"sessions\"");
    }

    @Test
    void strictAboutFieldsAndDuplicates() throws IOException {
        Path file = dir.resolve("state.json");
        String hold = "{\"pbxUserId\":\"1\",\"kind\":\"held\",\"priorDnd\":false,\"writtenDnd\":true,"
                + "\"priorChatStatus\":null,\"writtenChatStatus\":null,\"confirmed\":true,\"since\":\"2026-01-01T00:00:00Z\"";
        Map<String, String> bad = Map.of(
                "duplicate key", "{\"format\":\"teamsconnect-state\",\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[]}",
                "unknown field", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold + ",\"extra\":1}]}",
                "bad kind", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold.replace("held", "kept") + "}]}",
                "bad instant", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold.replace("2026-01-01T00:00:00Z", "yesterday") + "}]}",
                "missing field", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold.replace(",\"confirmed\":true", "") + "}]}",
                "same user twice", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold + "}," + hold + "}]}",
                "trailing garbage", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[]} x",
                "trailing comma", "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold + "},]}");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Files.writeString(file, e.getValue());
            assertThatThrownBy(() -> new JsonFileStateStore(file).load()).as(e.getKey())
                    .isInstanceOf(StateStoreException.class);
        }
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold + "}]}");
        assertThat(new JsonFileStateStore(file).load()).containsOnlyKeys("1");
    }

    @Test
    void invalidUtf8IsRefused() throws IOException {
        Path file = dir.resolve("state.json");
        Files.write(file, new byte[] {'{', (byte) 0xC3});
        assertThatThrownBy(() -> new JsonFileStateStore(file).load())
                .isInstanceOf(StateStoreException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void fileIsOwnerOnly() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX file system");
        Path file = dir.resolve("state.json");
        new JsonFileStateStore(file).commit(List.of(held("1")), List.of());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        new JsonFileStateStore(file).commit(List.of(held("2")), List.of());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void crashBetweenTempWriteAndRenameLeavesOldFileIntact() throws IOException {
        Path file = dir.resolve("state.json");
        new JsonFileStateStore(file).commit(List.of(held("1")), List.of());
        byte[] before = Files.readAllBytes(file);

        JsonFileStateStore crashing = new JsonFileStateStore(file, (from, to) -> {
            assertThat(from.getParent()).isEqualTo(to.getParent());
            assertThat(Files.readString(from)).contains("\"2\"");
            throw new IOException("simulated crash before rename");
        });
        assertThatThrownBy(() -> crashing.commit(List.of(held("2")), List.of("1")))
                .isInstanceOf(StateStoreException.class).hasMessageContaining("previous file is unchanged");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(new JsonFileStateStore(file).load()).containsOnlyKeys("1");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void leftoverTempFileFromAKilledProcessDoesNotDisturbLoading() throws IOException {
        Path file = dir.resolve("state.json");
        new JsonFileStateStore(file).commit(List.of(held("1")), List.of());
        Files.writeString(dir.resolve(".state.json.123.tmp"), "{\"format\":\"teamsconn", StandardCharsets.UTF_8);
        assertThat(new JsonFileStateStore(file).load()).containsOnlyKeys("1");
    }

    @Test
    void providerReadsTheFileKey() {
        var store = new FileStateStoreProvider().create(new ProviderConfig("stateStore", Map.of("file", dir.resolve("s.json").toString())));
        assertThat(((JsonFileStateStore) store).file()).isEqualTo(dir.resolve("s.json").toAbsolutePath());
        assertThat(new MemoryStateStoreProvider().create(ProviderConfig.empty("stateStore"))).isInstanceOf(InMemoryStateStore.class);
    }

    @Test
    void aSecondWriterOnTheSameFileIsRefusedWithTheFirstOnesPid() {
        Path file = dir.resolve("state.json");
        JsonFileStateStore first = new JsonFileStateStore(file);
        first.load();
        first.claim(java.util.Optional.of("starface https://pbx-a.example.com/"));
        JsonFileStateStore second = new JsonFileStateStore(file);
        second.load(); // reading is allowed
        assertThatThrownBy(() -> second.claim(java.util.Optional.of("starface https://pbx-a.example.com/")))
                .isInstanceOf(StateStoreException.class)
                .hasMessageContaining("in use by another TeamsConnect process")
                .hasMessageContaining("pid " + ProcessHandle.current().pid())
                .hasMessageContaining(file.toString());
        first.close();
        second.claim(java.util.Optional.of("starface https://pbx-a.example.com/"));
        second.close();
    }

    @Test
    void holdsOfAnotherPbxAreRefusedWithTheWayOutAndTheFileIsLeftAlone() throws IOException {
        Path file = dir.resolve("state.json");
        JsonFileStateStore a = new JsonFileStateStore(file);
        a.load();
        a.claim(java.util.Optional.of("starface https://pbx-a.example.com/"));
        a.commit(List.of(held("1")), List.of());
        a.close();
        String before = Files.readString(file);

        JsonFileStateStore b = new JsonFileStateStore(file);
        b.load();
        assertThatThrownBy(() -> b.claim(java.util.Optional.of("starface https://pbx-b.example.com/")))
                .isInstanceOf(StateStoreException.class)
                .hasMessageContaining("starface https://pbx-a.example.com/")
                .hasMessageContaining("starface https://pbx-b.example.com/")
                .hasMessageContaining("release");
        b.close();
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void aFileWithoutHoldsFollowsTheNewPbx() {
        Path file = dir.resolve("state.json");
        JsonFileStateStore a = new JsonFileStateStore(file);
        a.load();
        a.claim(java.util.Optional.of("starface https://pbx-a.example.com/"));
        a.commit(List.of(held("1")), List.of());
        a.commit(List.of(), List.of("1"));
        a.close();
        JsonFileStateStore b = new JsonFileStateStore(file);
        b.load();
        b.claim(java.util.Optional.of("starface https://pbx-b.example.com/"));
        b.commit(List.of(held("2")), List.of());
        b.close();
        assertThat(new JsonFileStateStore(file).load()).containsOnlyKeys("2");
    }

    @Test
    void aVersionOneFileIsAdoptedOnceForThePbxThatClaimsIt() throws IOException {
        Path file = dir.resolve("state.json");
        String hold = "{\"pbxUserId\":\"1\",\"kind\":\"held\",\"priorDnd\":false,\"writtenDnd\":true,"
                + "\"priorChatStatus\":null,\"writtenChatStatus\":null,\"confirmed\":true,\"since\":\"2026-01-01T00:00:00Z\"}";
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + hold + "]}");
        JsonFileStateStore store = new JsonFileStateStore(file);
        assertThat(store.load()).containsOnlyKeys("1");
        store.claim(java.util.Optional.of("starface https://pbx-a.example.com/"));
        store.close();
        JsonNode root = JACKSON.readTree(file.toFile());
        assertThat(root.get("version").asInt()).isEqualTo(2);
        assertThat(root.get("pbx").asText()).isEqualTo("starface https://pbx-a.example.com/");
        assertThat(root.get("holds").get(0).get("pbxUserId").asText()).isEqualTo("1");
        JsonFileStateStore other = new JsonFileStateStore(file);
        other.load();
        assertThatThrownBy(() -> other.claim(java.util.Optional.of("starface https://pbx-b.example.com/")))
                .isInstanceOf(StateStoreException.class);
        other.close();
    }
}
