package dev.teamsconnect.service.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finds secret keys whose value is written in the file itself rather than taken from ${NAME}. */
final class LiteralSecrets {

    private LiteralSecrets() {
    }

    static List<String> paths(Map<String, Object> root) {
        List<String> out = new ArrayList<>();
        collect(root, "", out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Map<String, Object> map, String path, List<String> out) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String keyPath = dev.teamsconnect.core.spi.ProviderConfig.child(path, e.getKey());
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m) {
                collect((Map<String, Object>) m, keyPath, out);
            } else if (v instanceof String s && dev.teamsconnect.core.spi.ProviderConfig.isSecretKey(e.getKey()) && !s.isBlank() && !s.contains("${")) {
                out.add(keyPath);
            }
        }
    }
}
