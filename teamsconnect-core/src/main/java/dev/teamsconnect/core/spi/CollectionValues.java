package dev.teamsconnect.core.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collecting readers of maps and lists in a {@link ProviderConfig} section: nested sections, lists of sections,
 * lists of single values and maps of single values. A value of the wrong shape is reported at its key, a bad item at its own path
 * ({@code mapping.dnd[1]}, {@code users.overrides["anna@example.com"]}).
 */
final class CollectionValues {

    private CollectionValues() {
    }

    /** See {@link ProviderConfig#child(String)}. */
    @SuppressWarnings("unchecked")
    static ProviderConfig section(ProviderConfig c, String key) {
        Object v = c.raw(key);
        // "tls:" followed only by comments parses as an empty value: an empty section, not a type error
        if (v == null || v instanceof String s && s.isBlank()) {
            return c.nested(c.path(key), Map.of());
        }
        if (!(v instanceof Map)) {
            c.problem(key, "must be a map of keys (key: value on indented lines), but was " + c.describe(key, v));
            return c.nested(c.path(key), Map.of());
        }
        return c.nested(c.path(key), (Map<String, Object>) v);
    }

    /** See {@link ProviderConfig#children}. */
    @SuppressWarnings("unchecked")
    static List<ProviderConfig> sections(ProviderConfig c, String key) {
        Object v = c.raw(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            c.problem(key, "must be a list of maps (\"- key: value\" items), but was " + c.describe(key, v));
            return List.of();
        }
        List<ProviderConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = ProviderConfig.index(c.path(key), i);
            if (list.get(i) instanceof Map<?, ?> m) {
                out.add(c.nested(at, (Map<String, Object>) m));
            } else {
                c.problemAt(at, "must be a map of keys, but was " + (list.get(i) == null ? "empty" : c.describe(key, list.get(i))));
            }
        }
        return out;
    }

    /** See {@link ProviderConfig#textList}. */
    static List<String> texts(ProviderConfig c, String key) {
        Object v = c.raw(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Map) {
            c.problem(key, "must be a list like [A, B], but was a map");
            return List.of();
        }
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item == null || item instanceof Map || item instanceof List) {
                c.problemAt(ProviderConfig.index(c.path(key), i), "must be a single value, but was " + (item == null ? "empty" : c.describe(key, item)));
                out.add(null);
            } else {
                out.add(item.toString().strip());
            }
        }
        return out;
    }

    /** See {@link ProviderConfig#textMap}. */
    static Map<String, String> textsByKey(ProviderConfig c, String key) {
        Object v = c.raw(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            c.problem(key, "must be a map (key: value on indented lines, or {} for none), but was " + c.describe(key, v));
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = e.getKey().toString();
            Object item = e.getValue();
            String itemPath = ProviderConfig.child(c.path(key), k);
            if (item == null || item.toString().isBlank()) {
                c.problemAt(itemPath, "must have a value, but is empty");
            } else if (item instanceof Map || item instanceof List) {
                c.problemAt(itemPath, "must be a single value, but was " + (item instanceof Map ? "a map" : "a list"));
            } else {
                out.put(k, item.toString().strip());
            }
        }
        return out;
    }
}
