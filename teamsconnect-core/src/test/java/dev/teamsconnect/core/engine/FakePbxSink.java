package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tiny in-test PBX: users with a state, a log of writes, switchable failures. Records a violation whenever the
 * engine writes a state the user already has (the engine must only write differences).
 */
final class FakePbxSink implements PbxSink {
    final Map<String, PbxUser> users = new LinkedHashMap<>();
    final Map<String, PbxState> states = new HashMap<>();
    final List<PbxChange> writes = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final Set<String> failWritesFor = new HashSet<>();
    final Set<Capability> capabilities = EnumSet.of(Capability.DND, Capability.GROUPS);
    final Map<String, List<String>> groups = new HashMap<>();
    boolean failAllWrites;
    boolean failReads;
    /** The chat status cannot be read (a bridge that is away): reads say {@link PbxState#chatUnknown}. */
    boolean chatAway;
    RuntimeException throwOnRead;
    int readStatesCalls;
    final List<String> lastRead = new ArrayList<>();
    int closes;
    java.time.Duration recheckInterval = java.time.Duration.ZERO;

    @Override
    public java.time.Duration recheckInterval() {
        return recheckInterval;
    }

    void addUser(String id, String mail, boolean dnd) {
        users.put(id, new PbxUser(id, "login" + id, mail, "User " + id));
        states.put(id, PbxState.dnd(dnd));
    }

    boolean dnd(String id) {
        return states.get(id).dnd();
    }

    /** Who hears of DND changes ({@link Capability#DND_EVENTS}). */
    final List<java.util.function.Consumer<Set<String>>> dndListeners = new ArrayList<>();

    @Override
    public void onDndChanged(java.util.function.Consumer<Set<String>> changed) {
        dndListeners.add(changed);
    }

    /** The user presses the DND key and the PBX reports it (a sink with {@link Capability#DND_EVENTS}). */
    void pressReported(String id, boolean dnd) {
        setByHand(id, dnd);
        dndListeners.forEach(l -> l.accept(Set.of(id)));
    }

    /** Users on a PBX call (reported with {@link Capability#PBX_CALLS}). */
    final Set<String> onCall = new HashSet<>();

    @Override
    public Set<String> usersOnCall() {
        return Set.copyOf(onCall);
    }

    /** The user presses the DND key on the phone. */
    void setByHand(String id, boolean dnd) {
        states.put(id, states.get(id).withDnd(dnd));
    }

    @Override
    public String id() {
        return "fake-pbx";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.copyOf(capabilities);
    }

    @Override
    public List<PbxUser> listUsers() {
        return new ArrayList<>(users.values());
    }

    @Override
    public List<PbxUser> listGroupMembers(String groupName) {
        return groups.getOrDefault(groupName, List.of()).stream().map(users::get).toList();
    }

    @Override
    public PbxState readState(PbxUser user) {
        if (failReads) {
            throw new RetryableException("PBX read failed");
        }
        PbxState s = states.get(user.id());
        return chatAway && s != null ? PbxState.chatUnknown(s.dnd()) : s;
    }

    @Override
    public BatchResult<PbxState> readStates(Collection<PbxUser> list) {
        readStatesCalls++;
        lastRead.clear();
        list.forEach(u -> lastRead.add(u.id()));
        if (throwOnRead != null) {
            throw throwOnRead;
        }
        return PbxSink.super.readStates(list);
    }

    @Override
    public void apply(PbxChange change) {
        String id = change.user().id();
        if (failAllWrites || failWritesFor.contains(id)) {
            throw new RetryableException("PBX write failed for " + id);
        }
        PbxState current = states.get(id);
        PbxState to = capabilities.contains(Capability.CHAT_STATUS) && change.to().chatKnown() ? change.to()
                : change.to().withChatStatus(current.chatStatus());
        if (current.equals(to)) {
            violations.add("write without a difference for " + id + ": " + current + " -> " + change.to());
        }
        states.put(id, to);
        writes.add(change);
    }

    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        Map<String, PbxState> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (PbxChange c : changes) {
            try {
                apply(c);
                values.put(c.user().id(), c.to());
            } catch (TeamsConnectException e) {
                failures.put(c.user().id(), e);
            }
        }
        return new BatchResult<>(values, failures);
    }

    @Override
    public void close() {
        closes++;
    }
}
