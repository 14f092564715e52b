package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.decorate.ForwardingPresenceSource;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Feeds the status board (sign-in state and its fix) and the metrics from what the presence source does; passes
 * every call through unchanged, except that very large presence reads are sliced to log progress ({@link Progress}).
 * Same threading as the source it wraps.
 */
final class ObservedPresenceSource extends ForwardingPresenceSource {

    private final StatusBoard board;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final String section;

    ObservedPresenceSource(PresenceSource delegate, StatusBoard board, ServiceMetrics metrics, Clock clock, String section) {
        super(delegate);
        this.board = board;
        this.metrics = metrics;
        this.clock = clock;
        this.section = section;
    }

    @Override
    public void open() {
        observe(() -> {
            delegate().open();
            return null;
        });
    }

    @Override
    public List<TeamsUser> listUsers() {
        return observe(delegate()::listUsers);
    }

    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        return observe(() -> Progress.sliced("Reading Teams presence", userIds, delegate()::readPresence));
    }

    private <T> T observe(java.util.function.Supplier<T> call) {
        // one source call is at least one Graph request; the Graph source does not report its own request count
        metrics.graphRequest();
        try {
            T result = call.get();
            board.signIn(StatusBoard.Side.SOURCE, SignInState.SIGNED_IN, null, clock.instant());
            return result;
        } catch (TerminalException e) {
            metrics.error("source_rejected");
            board.signIn(StatusBoard.Side.SOURCE, SignInState.FAILED, e.getMessage() + " -> "
                    + FailureAdvice.fix(FailureAdvice.Side.SOURCE, section, e), clock.instant());
            throw e;
        } catch (RetryableException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("429") || m.contains("throttl")) {
                metrics.graphThrottled();
            }
            metrics.error("source_unavailable");
            board.signIn(StatusBoard.Side.SOURCE, SignInState.FAILED, e.getMessage() + " -> "
                    + FailureAdvice.fix(FailureAdvice.Side.SOURCE, section, e), clock.instant());
            throw e;
        } catch (TeamsConnectException e) {
            metrics.error("source_error");
            throw e;
        }
    }

    @Override
    public String toString() {
        return delegate().toString();
    }
}
