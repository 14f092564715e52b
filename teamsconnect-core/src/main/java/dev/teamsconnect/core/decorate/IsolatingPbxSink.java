package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Isolates the engine from a sink: every call is wrapped; a RuntimeException is counted under
 * {@code sink.<operation>} in the given {@link FailureCounts}, logged with the provider id and rethrown as a
 * {@link dev.teamsconnect.core.error.TeamsConnectException} (a foreign exception becomes a
 * {@link dev.teamsconnect.core.error.PluginException}), which the engine turns into a failure of this cycle.
 * {@link Error}s pass through. A null answer from the plugin counts as a failure too.
 */
public final class IsolatingPbxSink extends ForwardingPbxSink {

    private final Isolation isolation;
    private final String id;

    public IsolatingPbxSink(PbxSink delegate, FailureCounts counts) {
        super(delegate);
        this.id = Isolation.safeId(delegate::id, delegate.getClass().getName());
        this.isolation = new Isolation("sink", id, counts);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Set<Capability> capabilities() {
        return isolation.call("capabilities", () -> Set.copyOf(nonNull(delegate().capabilities(), "capabilities")));
    }

    @Override
    public void open() {
        isolation.run("open", delegate()::open);
    }

    @Override
    public List<PbxUser> listUsers() {
        return isolation.call("listUsers", () -> nonNull(delegate().listUsers(), "listUsers"));
    }

    @Override
    public List<PbxUser> listGroupMembers(String groupName) {
        return isolation.call("listGroupMembers", () -> nonNull(delegate().listGroupMembers(groupName), "listGroupMembers"));
    }

    @Override
    public PbxState readState(PbxUser user) {
        return isolation.call("readState", () -> nonNull(delegate().readState(user), "readState"));
    }

    @Override
    public BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        return isolation.call("readStates", () -> nonNull(delegate().readStates(users), "readStates"));
    }

    @Override
    public void apply(PbxChange change) {
        isolation.run("apply", () -> delegate().apply(change));
    }

    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        return isolation.call("applyAll", () -> nonNull(delegate().applyAll(changes), "applyAll"));
    }

    @Override
    public Set<String> usersOnCall() {
        return isolation.call("usersOnCall", () -> Set.copyOf(nonNull(delegate().usersOnCall(), "usersOnCall")));
    }

    @Override
    public void onDndChanged(java.util.function.Consumer<Set<String>> changed) {
        isolation.run("onDndChanged", () -> delegate().onDndChanged(changed));
    }

    @Override
    public List<dev.teamsconnect.core.spi.CheckNote> checkNotes() {
        return isolation.call("checkNotes", () -> List.copyOf(nonNull(delegate().checkNotes(), "checkNotes")));
    }

    @Override
    public void close() {
        isolation.run("close", delegate()::close);
    }

    static <T> T nonNull(T value, String operation) {
        if (value == null) {
            throw new IllegalStateException(operation + " returned null");
        }
        return value;
    }
}
