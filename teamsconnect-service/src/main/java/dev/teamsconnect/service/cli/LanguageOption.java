package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.i18n.Messages;
import picocli.CommandLine.Option;

/** {@code --lang de|en}: the language of what a command prints; without it, the system locale's. Logs stay English. */
final class LanguageOption {

    enum Lang { DE, EN }

    @Option(names = "--lang", paramLabel = "de|en",
            description = "Language of what the command prints (not the log): de or en (default: the system locale's, English unless German).")
    Lang lang;

    Messages messages() {
        return Messages.forLanguage(lang == null ? null : lang.name().toLowerCase(java.util.Locale.ROOT));
    }
}
