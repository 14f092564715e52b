package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints what the presence source (and the PBX sink) reports to {@code check} beyond sign-in and listing ({@link PresenceSource#checkNotes()}):
 * missing permissions with the admin consent link, a cloud without presence, a credential about to expire. One
 * line per note, continuation lines indented below it. A problem note makes the check fail.
 */
final class SourceCheckNotes {

    private SourceCheckNotes() {
    }

    /**
     * Prints the notes under the source's section, and with {@code pbxToTeams} on those of its presence writer
     * (the permission to write presence); {@code true} when none is a problem.
     */
    static boolean print(PresenceSource source, boolean writing, PrintWriter out) {
        List<CheckNote> notes = new java.util.ArrayList<>();
        try {
            notes.addAll(source.checkNotes());
            if (writing) {
                source.presenceWriter().ifPresent(w -> notes.addAll(w.checkNotes()));
            }
        } catch (RuntimeException e) {
            out.println("  note: the source could not report its permissions: " + e.getMessage());
            return true;
        }
        return printNotes(notes, out);
    }

    /**
     * Prints the notes of the PBX sink ({@link PbxSink#checkNotes()}: the STARFACE bridge, whether it answers);
     * {@code true} when none is a problem.
     */
    static boolean print(PbxSink sink, PrintWriter out) {
        List<CheckNote> notes;
        try {
            notes = sink.checkNotes();
        } catch (RuntimeException e) {
            out.println("  note: the PBX sink could not report on its parts: " + e.getMessage());
            return true;
        }
        return printNotes(notes, out);
    }

    private static boolean printNotes(List<CheckNote> notes, PrintWriter out) {
        boolean ok = true;
        for (CheckNote n : notes) {
            ok &= n.level() != CheckNote.Level.PROBLEM;
            String label = switch (n.level()) {
                case PROBLEM -> "PROBLEM";
                case WARNING -> "WARNING";
                case INFO -> "note";
            };
            String[] lines = n.text().split("\n");
            out.println("  " + label + ": " + lines[0]);
            for (int i = 1; i < lines.length; i++) {
                out.println("    " + lines[i]);
            }
        }
        return ok;
    }
}
