package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditListener;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that writes nothing: each change is logged and audited as {@link AuditEvent.Kind#DRY_RUN}. Reads go to
 * the real sink, with the simulated writes laid over them (so the engine's hold logic plays out as it would for
 * real); a simulated value is forgotten as soon as the real PBX state changes under it (e.g. by hand).
 * Same threading as the delegate.
 */
public final class DryRunPbxSink extends ForwardingPbxSink {

    private static final Logger LOG = LoggerFactory.getLogger(DryRunPbxSink.class);

    private record Simulated(PbxState realAtWrite, PbxState simulated) {
    }

    private final AuditListener audit;
    private final Map<String, Simulated> overlay = new HashMap<>();

    public DryRunPbxSink(PbxSink delegate, AuditListener audit) {
        super(delegate);
        this.audit = audit;
    }

    @Override
    public synchronized PbxState readState(PbxUser user) {
        return overlay(user.id(), delegate().readState(user));
    }

    @Override
    public synchronized BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        BatchResult<PbxState> real = delegate().readStates(users);
        Map<String, PbxState> values = new HashMap<>();
        real.values().forEach((id, state) -> values.put(id, overlay(id, state)));
        return new BatchResult<>(values, real.failures());
    }

    private PbxState overlay(String userId, PbxState real) {
        Simulated s = overlay.get(userId);
        if (s == null) {
            return real;
        }
        if (!s.realAtWrite().equals(real)) {
            overlay.remove(userId); // the real state moved: it wins
            return real;
        }
        return s.simulated();
    }

    @Override
    public synchronized void apply(PbxChange change) {
        PbxState real = overlay.containsKey(change.user().id()) ? overlay.get(change.user().id()).realAtWrite() : null;
        if (real == null) {
            real = change.from();
        }
        if (real.equals(change.to())) {
            overlay.remove(change.user().id());
        } else {
            overlay.put(change.user().id(), new Simulated(real, change.to()));
        }
        LOG.info("DRY RUN: would set {} from {} to {} ({})", change.user().label(), describe(change.from()),
                describe(change.to()), change.reason());
        try {
            audit.onEvent(new AuditEvent(change.at(), AuditEvent.Kind.DRY_RUN, change.user().id(), change.user().label(),
                    change.category(), change.from(), change.to(), change.reason()));
        } catch (RuntimeException e) {
            LOG.warn("audit listener failed", e);
        }
    }

    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        Map<String, PbxState> values = new HashMap<>();
        for (PbxChange c : changes) {
            apply(c);
            values.put(c.user().id(), c.to());
        }
        return BatchResult.of(values);
    }

    static String describe(PbxState s) {
        return "DND " + (s.dnd() ? "on" : "off") + (s.chatStatus() == null ? "" : ", chat \"" + s.chatStatus() + "\"");
    }
}
