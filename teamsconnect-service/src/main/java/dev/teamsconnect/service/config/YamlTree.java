package dev.teamsconnect.service.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML document as a plain tree: {@code Map<String, Object>} (insertion order), {@code List<Object>},
 * {@code String} for every scalar (numbers and booleans keep the text as written, so {@code loginId: 0001} stays
 * "0001") and {@code null} for empty values; plus the line of every key path, for messages.
 */
final class YamlTree {

    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    final Map<String, Object> root;
    final Map<String, Integer> lines;

    private YamlTree(Map<String, Object> root, Map<String, Integer> lines) {
        this.root = root;
        this.lines = lines;
    }

    /** Parses the text; syntax problems go into {@code problems} and give {@code null}. */
    static YamlTree parse(String text, List<ConfigProblem> problems) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                problems.add(new ConfigProblem("", "the file is empty; it needs at least the teams and starface sections", 0));
                return null;
            }
            if (first != JsonToken.START_OBJECT) {
                problems.add(new ConfigProblem("", "the file must be a map of sections (teams:, starface:, ...), but was a "
                        + (first == JsonToken.START_ARRAY ? "list" : "single value"), line(p)));
                return null;
            }
            Map<String, Object> root = readMap(p, "", lines, problems);
            JsonToken next = p.nextToken();
            if (next != null) {
                problems.add(new ConfigProblem("", "the file must hold one YAML document, but has more than one", line(p)));
            }
            return root == null ? null : new YamlTree(root, lines);
        } catch (JsonProcessingException e) {
            problems.add(syntaxProblem(text, e));
            return null;
        } catch (IOException e) {
            problems.add(new ConfigProblem("", "cannot be read: " + e.getMessage(), 0));
            return null;
        }
    }

    private static Map<String, Object> readMap(JsonParser p, String path, Map<String, Integer> lines,
                                               List<ConfigProblem> problems) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            String keyPath = ProviderConfig.child(path, key);
            int line = line(p);
            p.nextToken();
            Object value = readValue(p, keyPath, lines, problems);
            if (map.containsKey(key)) {
                problems.add(new ConfigProblem(keyPath, "appears twice (also on line " + lines.get(keyPath) + "); keep one", line));
            } else {
                map.put(key, value);
                lines.put(keyPath, line);
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IllegalStateException("unexpected token " + t);
        }
        return map;
    }

    private static Object readValue(JsonParser p, String path, Map<String, Integer> lines, List<ConfigProblem> problems)
            throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT:
                return readMap(p, path, lines, problems);
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String itemPath = ProviderConfig.index(path, i++);
                    lines.put(itemPath, line(p));
                    list.add(readValue(p, itemPath, lines, problems));
                }
                return list;
            }
            case VALUE_NULL:
                return null;
            default:
                // the scalar as written; typed parsing happens in the validator, with the key path at hand
                return p.getText();
        }
    }

    /**
     * A syntax error in words an admin can act on: a tab in the indentation says "tab" (SnakeYAML says "while
     * scanning for the next token", with the line of the token before), a bad indentation says "indentation";
     * the line is SnakeYAML's problem mark (0-based there, 1-based here), else Jackson's location.
     */
    static ConfigProblem syntaxProblem(String text, JsonProcessingException e) {
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int firstNonBlank = 0;
            while (firstNonBlank < l.length() && (l.charAt(firstNonBlank) == ' ' || l.charAt(firstNonBlank) == '\t')) {
                firstNonBlank++;
            }
            int tab = l.indexOf('\t');
            if (tab >= 0 && tab < firstNonBlank && firstNonBlank < l.length() && l.charAt(firstNonBlank) != '#') {
                return new ConfigProblem("", "is not valid YAML: line " + (i + 1) + ", column " + (tab + 1)
                        + ": a tab character in the indentation; YAML indents with spaces only", i + 1);
            }
        }
        String description = firstLine(e.getOriginalMessage());
        int line = line(e.getLocation());
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
                if (marked.getProblemMark() != null) {
                    line = marked.getProblemMark().getLine() + 1;
                }
                description = marked.getProblem() == null ? description : marked.getProblem();
                break;
            }
        }
        String d = description.toLowerCase(java.util.Locale.ROOT);
        if (d.contains("mapping values are not allowed") || d.contains("expected <block end>")
                || d.contains("did not find expected key") || d.contains("could not find expected ':'")
                || d.contains("bad indentation")) {
            return new ConfigProblem("", "is not valid YAML: line " + line + ": the indentation does not fit the lines"
                    + " above (" + description + "): indent the keys of one section by the same number of spaces, and"
                    + " put a space after each ':'", line);
        }
        return new ConfigProblem("", "is not valid YAML: line " + line + ": " + description, line);
    }

    private static int line(JsonParser p) {
        return line(p.currentTokenLocation());
    }

    private static int line(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? 0 : location.getLineNr();
    }

    // SnakeYAML appends the offending source line to its messages; that line may hold a secret, so keep only the
    // description
    private static String firstLine(String message) {
        if (message == null) {
            return "syntax error";
        }
        String first = message.strip().split("\\R", 2)[0];
        return first.isEmpty() ? "syntax error" : first;
    }
}
