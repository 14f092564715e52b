package dev.teamsconnect.service.config;

import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.model.PresenceCategory;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code mapping} section: the status policy.
 *
 * @param language          language of chat status texts, default de
 * @param dnd               categories that turn DND on, default IN_A_CALL, BUSY, DO_NOT_DISTURB
 * @param chatStatus        whether the chat status text is written, default true
 * @param graceAfterCall    how long DND stays on after a call ends, default 0s (off)
 * @param debounce          categories shorter than this are ignored, default 0s (off)
 * @param manualDnd         respect or teams-leads, default respect
 * @param releaseOnShutdown whether holds are released when the service stops, default true
 * @param failOpenAfter     holds are released when presence cannot be read for this long, default 10m;
 *                          0s turns fail-open off; otherwise longer than the source's poll interval (checked
 *                          where the engine is configured)
 */
public record MappingConfig(Language language, Set<PresenceCategory> dnd, boolean chatStatus, Duration graceAfterCall,
                            Duration debounce, ManualDndMode manualDnd, boolean releaseOnShutdown,
                            Duration failOpenAfter) {

    public static final Set<PresenceCategory> DEFAULT_DND =
            Set.of(PresenceCategory.IN_A_CALL, PresenceCategory.BUSY, PresenceCategory.DO_NOT_DISTURB);
    public static final Duration DEFAULT_FAIL_OPEN_AFTER = Duration.ofMinutes(10);

    public MappingConfig {
        Objects.requireNonNull(language, "language");
        dnd = Set.copyOf(dnd);
        Objects.requireNonNull(graceAfterCall, "graceAfterCall");
        Objects.requireNonNull(debounce, "debounce");
        Objects.requireNonNull(manualDnd, "manualDnd");
        Objects.requireNonNull(failOpenAfter, "failOpenAfter");
    }
}
