package dev.teamsconnect.examples.file;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.PresenceSourceCompatibilityKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file source against the compatibility kit. Presence changes are made the way a script should make them:
 * write a temporary file, then rename it over the presence file.
 */
class FilePresenceSourceCompatibilityTest extends PresenceSourceCompatibilityKit {

    @TempDir
    Path dir;

    private Path file;
    /** id -> row values (mail, name, availability, activity, enabled), in file order. */
    private final Map<String, String[]> rows = new LinkedHashMap<>();

    @Override
    protected PresenceSource createSource(List<SeedUser> users) {
        file = dir.resolve("presence.csv");
        int n = 0;
        for (SeedUser u : users) {
            n++;
            rows.put("id-" + n, new String[] {u.mail(), u.displayName(), u.availability().wireValue(),
                    u.activity().wireValue(), Boolean.toString(u.enabled())});
        }
        write();
        return new FileSourceProvider().create(new ProviderConfig("file", Map.of("path", file.toString())));
    }

    @Override
    protected void changePresence(String userId, Availability availability, Activity activity) {
        String[] row = rows.get(userId);
        row[2] = availability.wireValue();
        row[3] = activity.wireValue();
        write();
    }

    private void write() {
        List<String> lines = new ArrayList<>();
        lines.add("# written by " + getClass().getSimpleName());
        lines.add("id,mail,name,availability,activity,enabled");
        rows.forEach((id, r) -> lines.add(id + "," + r[0] + ",\"" + r[1] + "\"," + r[2] + "," + r[3] + "," + r[4]));
        try {
            Path tmp = Files.createTempFile(dir, "presence", ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
