package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.decorate.ForwardingPbxSink;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Feeds the status board (sign-in state and its fix) and the metrics (PBX writes by outcome) from what the PBX sink
 * does; passes every call through unchanged, except that very large batches are sliced to log progress
 * ({@link Progress}). {@code readState} is a per-user call and not observed: its failure says nothing about the
 * sign-in. Same threading as the sink it wraps.
 */
final class ObservedPbxSink extends ForwardingPbxSink {

    private final StatusBoard board;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final String section;

    ObservedPbxSink(PbxSink delegate, StatusBoard board, ServiceMetrics metrics, Clock clock, String section) {
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
    public List<PbxUser> listUsers() {
        return observe(delegate()::listUsers);
    }

    @Override
    public List<PbxUser> listGroupMembers(String groupName) {
        return observe(() -> delegate().listGroupMembers(groupName));
    }

    @Override
    public BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        return observe(() -> Progress.sliced("Reading PBX states", users, delegate()::readStates));
    }

    @Override
    public void apply(PbxChange change) {
        try {
            delegate().apply(change);
            metrics.pbxWrite(true);
        } catch (TeamsConnectException e) {
            metrics.pbxWrite(false);
            throw e;
        }
    }

    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        BatchResult<PbxState> r;
        try {
            r = observe(() -> Progress.sliced("Writing to the PBX", changes, delegate()::applyAll));
        } catch (TeamsConnectException e) {
            changes.forEach(c -> metrics.pbxWrite(false));
            throw e;
        }
        r.values().forEach((id, s) -> metrics.pbxWrite(true));
        r.failures().forEach((id, e) -> metrics.pbxWrite(false));
        if (!r.failures().isEmpty()) {
            metrics.error("pbx_write");
        }
        return r;
    }

    private <T> T observe(Supplier<T> call) {
        try {
            T result = call.get();
            board.signIn(StatusBoard.Side.SINK, SignInState.SIGNED_IN, null, clock.instant());
            return result;
        } catch (TerminalException e) {
            metrics.error("pbx_rejected");
            board.signIn(StatusBoard.Side.SINK, SignInState.FAILED, e.getMessage() + " -> "
                    + FailureAdvice.fix(FailureAdvice.Side.SINK, section, e), clock.instant());
            throw e;
        } catch (RetryableException e) {
            metrics.error("pbx_unavailable");
            board.signIn(StatusBoard.Side.SINK, SignInState.FAILED, e.getMessage() + " -> "
                    + FailureAdvice.fix(FailureAdvice.Side.SINK, section, e), clock.instant());
            throw e;
        }
    }

    @Override
    public String toString() {
        return delegate().toString();
    }
}
