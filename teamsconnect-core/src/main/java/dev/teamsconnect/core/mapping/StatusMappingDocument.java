package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.model.PresenceCategory;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders {@code docs/status-mapping.md} from the code: the categories, the precedence, what each Teams value
 * means, the full (availability, activity) table and the policy defaults. A test in teamsconnect-core compares
 * the committed file with {@link #render()} so the document cannot drift from the classifier. Pure and
 * thread-safe.
 */
public final class StatusMappingDocument {

    private final TeamsStatusClassifier classifier;
    private final ConfigurableStatusPolicy policy;

    public StatusMappingDocument(TeamsStatusClassifier classifier, ConfigurableStatusPolicy policy) {
        this.classifier = classifier;
        this.policy = policy;
    }

    /** The document for the default classifier and policy. */
    public static StatusMappingDocument defaults() {
        return new StatusMappingDocument(TeamsStatusClassifier.INSTANCE, ConfigurableStatusPolicy.defaults());
    }

    /** The Markdown text, lines ending in {@code \n}. */
    public String render() {
        StringBuilder md = new StringBuilder();
        md.append("<!-- GENERATED from TeamsStatusClassifier and ConfigurableStatusPolicy by StatusMappingDocument.\n")
          .append("     Do not edit by hand: change the code, then run\n")
          .append("     mvn -B -ntp -pl teamsconnect-core -am test -Dtest=StatusMappingDocumentTest -Dsurefire.failIfNoSpecifiedTests=false -Dteamsconnect.updateDocs=true -->\n\n");
        md.append("# Status mapping: Teams presence -> category -> PBX\n\n");
        md.append("Microsoft Teams reports presence as two values, `availability` and `activity` (the activity describes\n")
          .append("the availability more closely). TeamsConnect puts every pair into one *category* and the status policy\n")
          .append("decides per category whether the PBX user gets do-not-disturb (DND) and which chat status text is shown.\n")
          .append("Values are parsed case-insensitively; values this version does not know are kept as `(unknown value)`\n")
          .append("and carry no signal, so the other field decides.\n\n");

        md.append("## Categories\n\n");
        md.append("| Category (code) | Deutsch | English | DND by default | Default chat status (de) | Default chat status (en) |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (PresenceCategory c : PresenceCategory.values()) {
            md.append("| `").append(c.code()).append("` | ").append(c.displayName("de")).append(" | ")
              .append(c.displayName("en")).append(" | ")
              .append(policy.dndCategories().contains(c) ? "yes" : "no (user's own)").append(" | ")
              .append(text(policy.template(c, "de"))).append(" | ")
              .append(text(policy.template(c, "en"))).append(" |\n");
        }
        md.append("\nThe first five are the groups of the reference product (Im Gespräch, Beschäftigt, Nicht stören,\n")
          .append("Abwesend, Abgemeldet); AVAILABLE and UNKNOWN complete the set. For a category that does not mean DND\n")
          .append("the policy asks for the user's *own* DND (it never forces DND off), so a DND the user set by hand stays.\n")
          .append("\"user's own\" for the chat status means TeamsConnect leaves the user's own chat status alone.\n")
          .append("Templates may use `{message}` (the Teams status message, empty when there is none) and `{category}`\n")
          .append("(the category's name in the configured language). Whitespace is collapsed; empty brackets and trailing\n")
          .append("separators left by an empty `{message}` are removed; an empty result means the user's own status.\n\n");

        md.append("## Precedence\n\n");
        md.append("Each value means one category on its own (tables below). Of the availability's and the activity's\n")
          .append("categories the one that comes first here wins:\n\n");
        md.append(TeamsStatusClassifier.precedence().stream().map(c -> "`" + c.code() + "`").collect(Collectors.joining(" > ")))
          .append("\n\n");
        md.append("So a call beats presenting / do-not-disturb, which beats a meeting / busy, which beats away, which\n")
          .append("beats offline, which beats available. UNKNOWN ranks last: a value without a signal never hides the\n")
          .append("other value's meaning; when both say nothing the category is UNKNOWN (the user's own DND and chat status).\n\n");
        md.append("**Out-of-office flag.** ").append(TeamsStatusClassifier.OUT_OF_OFFICE_RULE).append("\n\n");

        md.append("## What each value means on its own\n\n");
        valueTable(md, "Availability", classifier.availabilityRules());
        valueTable(md, "Activity", classifier.activityRules());

        md.append("## Every pair\n\n");
        md.append("All ").append(classifier.table().size())
          .append(" (availability, activity) pairs. \"With out-of-office\" is the category when the out-of-office flag is set.\n\n");
        md.append("| Availability | Activity | Category | With out-of-office | Why |\n");
        md.append("|---|---|---|---|---|\n");
        for (TeamsStatusClassifier.Row row : classifier.table()) {
            md.append("| ").append(TeamsStatusClassifier.wireOrUnknown(row.availability().wireValue()))
              .append(" | ").append(TeamsStatusClassifier.wireOrUnknown(row.activity().wireValue()))
              .append(" | `").append(row.category().code()).append("` | `")
              .append(row.categoryWhenOutOfOffice().code()).append("` | ").append(row.reason()).append(" |\n");
        }
        md.append('\n').append(PBX_TO_TEAMS);
        return md.toString();
    }

    /**
     * The reverse direction ({@code pbxToTeams}, {@link dev.teamsconnect.core.spi.PresenceWriter}): what the PBX shows
     * in Teams. Its pairs are those of the engine's {@code PbxToTeams.Show}; kept here as text so that this package
     * does not depend on the engine's.
     */
    static final String PBX_TO_TEAMS = ""
            +             "## From the PBX to Teams (`pbxToTeams`)\n"
            +             "\n"
            +             "The other direction, off by default (docs/configuration.md, `pbxToTeams`). TeamsConnect sets its own presence\n"
            +             "session for the user; Teams shows the higher of that session and the user's own presence (DoNotDisturb > Busy >\n"
            +             "Available > Away), and the user's own *preferred* presence (set in the Teams client) always wins.\n"
            +             "\n"
            +             "| on the PBX | `pbxToTeams` key | value | Teams shows (session) |\n"
            +             "|---|---|---|---|\n"
            +             "| DND set at the phone (not by TeamsConnect) | `dnd` | `in-a-call` | Busy / InACall |\n"
            +             "| DND set at the phone (not by TeamsConnect) | `dnd` | `presenting` | DoNotDisturb / Presenting |\n"
            +             "| a PBX call (sinks with call state only; not STARFACE's REST API) | `calls` | `in-a-call` | Busy / InACall |\n"
            +             "| DND set by TeamsConnect for a Teams call | - | - | nothing: the user's own Teams presence is already the reason |\n"
            +             "| both a DND at the phone and a PBX call | `dnd` and `calls` | | the `dnd` pair |\n"
            +             "\n"
            +             "These are pairs Graph's `setPresence` accepts (Available/Available, Busy/InACall, Busy/InAConferenceCall,\n"
            +             "Away/Away, DoNotDisturb/Presenting; graph-presence.md). Teams clients show the change after their own refresh\n"
            +             "(minutes, per Microsoft); the delay until Graph has it is measured in docs/benchmarks.md. While the session shows,\n"
            +             "TeamsConnect does not take that presence for a Teams call (docs/architecture.md, \"Both directions without loops\").\n"
            +             "\n";

    private static void valueTable(StringBuilder md, String field, List<TeamsStatusClassifier.ValueRule> rules) {
        md.append("| ").append(field).append(" | Category | Why |\n|---|---|---|\n");
        for (TeamsStatusClassifier.ValueRule r : rules) {
            md.append("| ").append(r.value()).append(" | `").append(r.category().code()).append("` | ")
              .append(r.reason()).append(" |\n");
        }
        md.append('\n');
    }

    private static String text(String template) {
        return template == null ? "(user's own)" : "\"" + template + "\"";
    }
}
