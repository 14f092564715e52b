package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.model.PresenceCategory;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat status texts of {@link ConfigurableStatusPolicy}: the default template of each category per language,
 * what a template may contain ({@link ConfigurableStatusPolicy#PLACEHOLDERS}) and how one is rendered into the
 * text the PBX shows. Changes when the texts or the template language change, not when the DND rules do.
 */
final class ChatStatusTemplates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    // Leftovers of an empty {message}: "()" or "[]", and separators at the end ("Busy: ", "Busy -").
    private static final Pattern EMPTY_BRACKETS = Pattern.compile("\\(\\s*\\)|\\[\\s*]");
    private static final Pattern TRAILING_SEPARATORS = Pattern.compile("[\\s:;,|\\-\u2013\u2014]+$");

    /** The default templates by language ("de", "en"). */
    static final Map<String, Map<PresenceCategory, String>> DEFAULTS = Map.of(
            "en", templates(
                    "On a call in MS Teams",
                    "Busy in MS Teams",
                    "Do not disturb in MS Teams",
                    "Away in MS Teams"),
            "de", templates(
                    "Im Gespräch in MS Teams",
                    "Beschäftigt in MS Teams",
                    "Nicht stören in MS Teams",
                    "Abwesend in MS Teams"));

    private ChatStatusTemplates() {
    }

    /** A language code as compared: stripped and lower case; {@code null} stays {@code null}. */
    static String normalizeLanguage(String language) {
        return language == null ? null : language.strip().toLowerCase(Locale.ROOT);
    }

    /** The error for a language that has no templates, as the policy's getters report it. */
    static IllegalArgumentException unknownLanguage(String language) {
        return new IllegalArgumentException("language must be one of " + ConfigurableStatusPolicy.LANGUAGES
                + ", but was \"" + language + "\"");
    }

    /**
     * Checks a language given to the builder and returns it normalised.
     *
     * @param field the name in the message, e.g. {@code language} or {@code chatTemplates language}
     */
    static String checkLanguage(String field, String language) {
        String l = normalizeLanguage(language);
        if (l == null || !ConfigurableStatusPolicy.LANGUAGES.contains(l)) {
            throw new IllegalArgumentException(field + " must be one of " + ConfigurableStatusPolicy.LANGUAGES
                    + ", but was " + (language == null ? "null" : "\"" + language + "\""));
        }
        return l;
    }

    /**
     * Checks a template that is set (not {@code null}) and returns it stripped: not for UNKNOWN, not blank, only
     * known placeholders.
     *
     * @param field the name in the message, e.g. {@code chatTemplates.en.in_a_call}
     */
    static String checkTemplate(String field, PresenceCategory category, String template) {
        if (category == PresenceCategory.UNKNOWN) {
            throw new IllegalArgumentException(field + " must not be set: when the presence is unknown the"
                    + " user's own chat status stays, but was \"" + template + "\"");
        }
        if (template.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank (use null for the user's own"
                    + " status), but was \"" + template + "\"");
        }
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!ConfigurableStatusPolicy.PLACEHOLDERS.contains(m.group())) {
                throw new IllegalArgumentException(field + " uses the unknown placeholder " + m.group()
                        + "; allowed are " + String.join(", ", ConfigurableStatusPolicy.PLACEHOLDERS) + ", but was \""
                        + template + "\"");
            }
        }
        return template.strip();
    }

    /**
     * {@code template} with {@code {message}} and {@code {category}} filled in; {@code null} when the text comes
     * out empty. Whitespace is collapsed to single spaces; empty brackets and trailing separators left by an empty
     * message are removed.
     */
    static String render(String template, String statusMessage, String categoryName) {
        String message = statusMessage == null ? "" : statusMessage.strip();
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = "message".equals(m.group(1)) ? message : categoryName;
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        String text = out.toString().replaceAll("\\s+", " ");
        text = EMPTY_BRACKETS.matcher(text).replaceAll("");
        text = TRAILING_SEPARATORS.matcher(text.strip()).replaceAll("").replaceAll("\\s+", " ").strip();
        return text.isEmpty() ? null : text;
    }

    private static Map<PresenceCategory, String> templates(String inACall, String busy, String dnd, String away) {
        Map<PresenceCategory, String> m = new EnumMap<>(PresenceCategory.class);
        m.put(PresenceCategory.IN_A_CALL, inACall);
        m.put(PresenceCategory.BUSY, busy);
        m.put(PresenceCategory.DO_NOT_DISTURB, dnd);
        m.put(PresenceCategory.AWAY, away);
        // OFFLINE, AVAILABLE, UNKNOWN: no text. Teams being closed says nothing about the desk phone, and
        // available / unknown must not hide the user's own chat status.
        return Collections.unmodifiableMap(m);
    }

}
