package dev.teamsconnect.service.config;

import java.util.regex.Pattern;

/** Builds the dotted key paths used in every config message: {@code teams.auth.mode}, {@code mapping.dnd[1]}. */
final class KeyPaths {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private KeyPaths() {
    }

    static String child(String parent, String key) {
        // keys such as mail addresses contain dots; quote them so the path stays unambiguous
        String part = PLAIN_KEY.matcher(key).matches() ? key : "[\"" + key + "\"]";
        if (parent.isEmpty()) {
            return part;
        }
        return part.startsWith("[") ? parent + part : parent + "." + part;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
