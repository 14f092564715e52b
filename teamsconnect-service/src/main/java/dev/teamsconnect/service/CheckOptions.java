package dev.teamsconnect.service;

import dev.teamsconnect.service.i18n.Messages;
import java.util.Objects;

/**
 * How {@code check} reports.
 *
 * @param all      also list every user that is fine (matched, outside the group, disabled), not only the problems
 * @param format   text for people, CSV for a spreadsheet
 * @param messages the language of the report
 */
public record CheckOptions(boolean all, Format format, Messages messages) {

    /** The report's format ({@code --format}). */
    public enum Format { TEXT, CSV }

    public CheckOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(messages, "messages");
    }

    /** Problems only, as text, in English. */
    public static CheckOptions defaults() {
        return new CheckOptions(false, Format.TEXT, Messages.english());
    }
}
