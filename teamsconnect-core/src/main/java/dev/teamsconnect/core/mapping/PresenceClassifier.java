package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;

/** Puts a Teams presence into one {@link PresenceCategory}. Pure and thread-safe. */
@FunctionalInterface
public interface PresenceClassifier {

    PresenceCategory classify(TeamsPresence presence);
}
