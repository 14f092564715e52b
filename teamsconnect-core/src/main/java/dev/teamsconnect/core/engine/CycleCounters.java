package dev.teamsconnect.core.engine;

import java.util.ArrayList;
import java.util.List;

/** What one cycle (or a release) did, counted by its parts and turned into the {@link CycleReport}. */
final class CycleCounters {
    int presenceRead;
    int skipped;
    int stateReads;
    int writes;
    int failures;
    int notReached;
    final List<String> errors = new ArrayList<>();
}
