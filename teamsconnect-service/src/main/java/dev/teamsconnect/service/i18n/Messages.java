package dev.teamsconnect.service.i18n;

import java.text.Collator;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.Objects;
import java.util.ResourceBundle;

/**
 * The texts people read on the command line ({@code check}'s report, CLI messages, the demo) in German or English,
 * from the resource bundles {@code dev/teamsconnect/service/i18n/messages[_de].properties}. Logs stay English.
 *
 * <p>The language is {@code --lang de|en} when given, otherwise the system locale's language: German for
 * {@code de}, English for anything else. Patterns are {@link MessageFormat}s, so numbers are grouped the way the
 * language writes them (4.997 / 4,997). Immutable and thread-safe.
 */
public final class Messages {

    private static final String BUNDLE = "dev.teamsconnect.service.i18n.messages";

    private final Locale locale;
    private final ResourceBundle bundle;

    private Messages(Locale locale) {
        this.locale = locale;
        // no fallback to the JVM's default locale: English is the base bundle, German its only translation
        this.bundle = ResourceBundle.getBundle(BUNDLE, locale,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    /** English. */
    public static Messages english() {
        return new Messages(Locale.ENGLISH);
    }

    /** The texts for {@code --lang} ({@code de}, {@code en}), or for the system locale when {@code lang} is null. */
    public static Messages forLanguage(String lang) {
        return forLocale(lang == null ? Locale.getDefault() : Locale.forLanguageTag(lang));
    }

    /** German when the locale's language is German, English otherwise. */
    public static Messages forLocale(Locale locale) {
        Objects.requireNonNull(locale, "locale");
        return new Messages("de".equals(locale.getLanguage()) ? Locale.GERMAN : Locale.ENGLISH);
    }

    /** {@link Locale#GERMAN} or {@link Locale#ENGLISH}. */
    public Locale locale() {
        return locale;
    }

    /** The text for {@code key} with its {@code {0}}, {@code {1,number,integer}} ... filled in. */
    public String get(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            throw new IllegalArgumentException("no text for the key " + key + " in " + BUNDLE, e);
        }
        return new MessageFormat(pattern, locale).format(args);
    }

    /** Whether there is a text for {@code key}. */
    public boolean has(String key) {
        return bundle.containsKey(key);
    }

    /**
     * The collation of names in this language: umlauts sort with their base letter (Köhler before Krüger), case
     * and accents only break ties. {@link Collator} is not thread-safe, so each caller gets its own.
     */
    public Collator collator() {
        Collator c = Collator.getInstance(locale);
        c.setStrength(Collator.TERTIARY);
        return c;
    }
}
