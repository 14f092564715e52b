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
 * does, and the board's PBX DND per user (what was read or written, and when); passes every call through
 * unchanged, except that very large batches are sliced to log progress ({@link Progress}). {@code readState} is a
 * per-user call whose failure says nothing about the sign-in: only its result is recorded. Same threading as the
 * sink it wraps.
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
        BatchResult<PbxState> r = observe(() -> Progress.sliced("Reading PBX states", users, delegate()::readStates));
        java.time.Instant now = clock.instant();
        r.values().forEach((id, s) -> board.pbxRead(id, s.dnd(), now));
        return r;
    }

    @Override
    public PbxState readState(PbxUser user) {
        PbxState s = delegate().readState(user);
        board.pbxRead(user.id(), s.dnd(), clock.instant());
        return s;
    }

    @Override
    public void apply(PbxChange change) {
        try {
            delegate().apply(change);
            board.pbxWritten(change.user().id(), change.to().dnd(), clock.instant());
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
        java.time.Instant now = clock.instant();
        r.values().forEach((id, s) -> {
            metrics.pbxWrite(true);
            board.pbxWritten(id, s.dnd(), now);
        });
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
