package dev.teamsconnect.examples.file;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link PresenceSource} that reads presence from a CSV file which a script (or a person) keeps up to date;
 * handy for simulations, demos and tests of a PBX setup without Microsoft Teams.
 *
 * <pre>
 * # lines starting with # and blank lines are ignored; the header names the columns (any order)
 * id,mail,name,availability,activity,enabled,statusMessage
 * u1,alice@example.com,Alice Example,Busy,InACall,true,
 * u2,bob@example.com,"Example, Bob",Available,Available,,
 * </pre>
 *
 * <p>Required columns: {@code id}, {@code availability}, {@code activity}; optional: {@code mail}, {@code name},
 * {@code enabled} ({@code true}/{@code false}, default true), {@code statusMessage}. Values may be quoted with
 * {@code "} (a quote inside is written {@code ""}). Availability and activity are Graph's values, case-insensitive
 * ({@code Busy}, {@code InACall}); a value Graph does not have is an error, as a typo would otherwise read as
 * "unknown presence".
 *
 * <p>The file is read again whenever its size, modification time or file identity changed. Scripts should write a
 * temporary file and rename it over the old one, so the source never sees half a file. A bad file (a row with a
 * wrong column count, an unknown availability, a duplicate id) fails the call with a {@link RetryableException}
 * naming the file and line, and the last good content is kept: the next call reads the file again, so fixing the
 * file is enough.
 *
 * <p>Threading: the engine calls one method at a time; calls block only for reading the (local) file.
 */
public final class FilePresenceSource implements PresenceSource {

    public static final String ID = "file";

    private static final List<String> KNOWN_COLUMNS =
            List.of("id", "mail", "name", "availability", "activity", "enabled", "statusmessage");

    private record Row(TeamsUser user, Availability availability, String rawAvailability, Activity activity,
                       String rawActivity, String statusMessage) {
    }

    private record Version(Object fileKey, FileTime modified, long size) {
    }

    private final Path file;
    private final Clock clock;
    private Version version;
    private Map<String, Row> rows = Map.of();

    /**
     * @param file  the CSV file; read in {@link #open()} and again when it changes
     * @param clock stamps each presence read ({@link TeamsPresence#observedAt()})
     */
    public FilePresenceSource(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String id() {
        return ID;
    }

    /** Reads the file once, so a missing or malformed file is reported at start-up. */
    @Override
    public void open() {
        refresh();
    }

    @Override
    public List<TeamsUser> listUsers() {
        refresh();
        return rows.values().stream().map(Row::user).toList();
    }

    /** Ids not in the file are reported as per-user failures. */
    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        refresh();
        Map<String, TeamsPresence> values = new HashMap<>();
        Map<String, dev.teamsconnect.core.error.TeamsConnectException> failures = new HashMap<>();
        var now = clock.instant();
        for (String id : userIds) {
            Row row = rows.get(id);
            if (row == null) {
                failures.put(id, new dev.teamsconnect.core.error.UnknownUserException(id,
                        "user \"" + id + "\" is not in " + file));
            } else {
                values.put(id, new TeamsPresence(id, row.availability(), row.rawAvailability(), row.activity(),
                        row.rawActivity(), row.statusMessage(), false, null, now));
            }
        }
        return new BatchResult<>(values, failures);
    }

    @Override
    public String toString() {
        return "FilePresenceSource[" + file + "]";
    }

    // ---- reading the file

    private void refresh() {
        Version now;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new RetryableException(file + ": is not a regular file");
            }
            now = new Version(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        } catch (NoSuchFileException e) {
            throw new RetryableException(file + ": presence file does not exist", e);
        } catch (IOException e) {
            throw new RetryableException(file + ": cannot read presence file: " + e.getMessage(), e);
        }
        if (now.equals(version)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new RetryableException(file + ": is not UTF-8 text", e);
        } catch (IOException e) {
            throw new RetryableException(file + ": cannot read presence file: " + e.getMessage(), e);
        }
        rows = parse(file, lines);
        version = now;
    }

    /** Parses the whole file; the first problem is thrown with file and line, nothing is half applied. */
    static Map<String, Row> parse(Path file, List<String> lines) {
        Map<String, Integer> columns = null;
        Map<String, Row> result = new LinkedHashMap<>();
        Map<String, Integer> lineOfId = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = i == 0 && lines.get(i).startsWith("\uFEFF") ? lines.get(i).substring(1) : lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            List<String> cells = cells(file, lineNo, line);
            if (columns == null) {
                columns = header(file, lineNo, cells);
                continue;
            }
            if (cells.size() != columns.size()) {
                throw bad(file, lineNo, "has " + cells.size() + " values, but the header has " + columns.size()
                        + " columns " + columns.keySet());
            }
            Row row = row(file, lineNo, columns, cells);
            Integer earlier = lineOfId.putIfAbsent(row.user().id(), lineNo);
            if (earlier != null) {
                throw bad(file, lineNo, "id \"" + row.user().id() + "\" was already used on line " + earlier);
            }
            result.put(row.user().id(), row);
        }
        if (columns == null) {
            throw new RetryableException(file + ": has no header line; expected e.g. id,mail,name,availability,activity");
        }
        return result;
    }

    private static Map<String, Integer> header(Path file, int lineNo, List<String> cells) {
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int c = 0; c < cells.size(); c++) {
            String name = cells.get(c).trim().toLowerCase(Locale.ROOT);
            if (!KNOWN_COLUMNS.contains(name)) {
                throw bad(file, lineNo, "unknown column \"" + cells.get(c).trim() + "\" in the header; known columns are "
                        + KNOWN_COLUMNS);
            }
            if (columns.put(name, c) != null) {
                throw bad(file, lineNo, "column \"" + name + "\" appears twice in the header");
            }
        }
        for (String required : List.of("id", "availability", "activity")) {
            if (!columns.containsKey(required)) {
                throw bad(file, lineNo, "the header lacks the required column \"" + required + "\"");
            }
        }
        return columns;
    }

    private static Row row(Path file, int lineNo, Map<String, Integer> columns, List<String> cells) {
        String id = value(columns, cells, "id");
        if (id == null) {
            throw bad(file, lineNo, "id is empty");
        }
        String rawAvailability = value(columns, cells, "availability");
        Availability availability = Availability.parse(rawAvailability);
        if (availability == Availability.UNKNOWN) {
            throw bad(file, lineNo, "availability \"" + Objects.toString(rawAvailability, "") + "\" of user " + id
                    + " is not a Teams availability; expected one of " + wireValues(Availability.values()));
        }
        String rawActivity = value(columns, cells, "activity");
        Activity activity = Activity.parse(rawActivity);
        if (activity == Activity.UNKNOWN) {
            throw bad(file, lineNo, "activity \"" + Objects.toString(rawActivity, "") + "\" of user " + id
                    + " is not a Teams activity; expected one of " + wireValues(Activity.values()));
        }
        String enabledText = value(columns, cells, "enabled");
        boolean enabled = true;
        if (enabledText != null) {
            enabled = switch (enabledText.toLowerCase(Locale.ROOT)) {
                case "true", "yes" -> true;
                case "false", "no" -> false;
                default -> throw bad(file, lineNo, "enabled must be true or false, but was \"" + enabledText + "\"");
            };
        }
        TeamsUser user = new TeamsUser(id, null, value(columns, cells, "mail"), value(columns, cells, "name"), enabled);
        return new Row(user, availability, rawAvailability, activity, rawActivity, value(columns, cells, "statusmessage"));
    }

    private static String value(Map<String, Integer> columns, List<String> cells, String column) {
        Integer index = columns.get(column);
        if (index == null) {
            return null;
        }
        String v = cells.get(index).trim();
        return v.isEmpty() ? null : v;
    }

    /** Splits one line at commas; {@code "..."} quotes a value, {@code ""} inside is one quote. */
    private static List<String> cells(Path file, int lineNo, String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else if (c == '"' && cell.toString().isBlank() && !wasQuoted) {
                cell.setLength(0);
                quoted = true;
                wasQuoted = true;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw bad(file, lineNo, "a quoted value is not closed (a value with a line break is not supported)");
        }
        cells.add(cell.toString());
        return cells;
    }

    private static String wireValues(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v instanceof Availability a ? a.wireValue() : ((Activity) v).wireValue())
                .filter(s -> !s.isEmpty()).toList().toString();
    }

    private static RetryableException bad(Path file, int lineNo, String message) {
        return new RetryableException(file + " line " + lineNo + ": " + message);
    }
}
