package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.model.DoNotDistrubSettingChangedEvent;
import de.vertico.starface.module.core.model.StarfaceEventService;
import de.vertico.starface.module.core.model.TelephonyState;
import de.vertico.starface.module.core.model.TelephonyStateChangedEvent;
import de.vertico.starface.module.core.model.UserStateBusinessObject;
import de.vertico.starface.module.core.runtime.IRuntimeEnvironment;
import dev.teamsconnect.starface.bridge.BridgeEntryPoints;
import dev.teamsconnect.starface.bridge.EventBuffer;
import dev.teamsconnect.starface.bridge.SecretCheck;
import dev.teamsconnect.starface.bridge.XmlRpcFault;
import java.util.ArrayList;
import java.util.List;

/**
 * The running bridge of one module instance: its entry points, its event buffer and the listeners that fill it.
 * {@link #start} (the module's start function block) subscribes; {@link #stop} (its stop function block, and every
 * new start) unsubscribes, so an updated or stopped module leaves no listener behind: STARFACE keeps a module's old
 * listeners running until the PBX restarts otherwise (SFWiki {@code dev_known_problems.md}).
 */
public final class BridgeModule {

    /** Events kept for readers; at one event a second this is nearly three hours. */
    static final int EVENT_CAPACITY = 10_000;

    private static final Object LOCK = new Object();
    private static volatile BridgeModule running;

    private final BridgeEntryPoints entryPoints;
    private final StarfaceEventService eventService;
    private final List<Object> subscriptions = new ArrayList<>();

    private BridgeModule(BridgeEntryPoints entryPoints, StarfaceEventService eventService) {
        this.entryPoints = entryPoints;
        this.eventService = eventService;
    }

    /** Starts the bridge with the instance's secret; a bridge that runs already is stopped first. */
    static void start(IRuntimeEnvironment context, String secret) {
        synchronized (LOCK) {
            stop();
            UserStateBusinessObject users = context.provider().fetch(UserStateBusinessObject.class);
            StarfaceEventService events = context.provider().fetch(StarfaceEventService.class);
            EventBuffer buffer = new EventBuffer(EVENT_CAPACITY);
            BridgeEntryPoints entryPoints = new BridgeEntryPoints(new SecretCheck(secret),
                    new StarfacePbxAccess(users, events), buffer, version());
            BridgeModule m = new BridgeModule(entryPoints, events);
            m.subscriptions.add(events.subscribe(TelephonyStateChangedEvent.class,
                    e -> buffer.call(e.getAccountId(), isCall(e.getTelephonyState()))));
            m.subscriptions.add(events.subscribe(DoNotDistrubSettingChangedEvent.class,
                    e -> buffer.dnd(e.getAccountId(), e.isDoNotDisturb())));
            running = m;
        }
    }

    /** Removes the listeners; the entry points answer "not running" until the next start. */
    static void stop() {
        synchronized (LOCK) {
            BridgeModule m = running;
            running = null;
            if (m != null) {
                m.subscriptions.forEach(m.eventService::unsubscribe);
                m.subscriptions.clear();
            }
        }
    }

    /** The running bridge's entry points. */
    static BridgeEntryPoints entryPoints() throws XmlRpcFault {
        BridgeModule m = running;
        if (m == null) {
            throw new XmlRpcFault(dev.teamsconnect.starface.bridge.BridgeProtocol.FAULT_PBX,
                    "the TeamsConnect bridge is not started (start its module instance)");
        }
        return m.entryPoints;
    }

    /**
     * Whether a telephony state means a call. ACTIVE is a call; RINGING is not yet one. The sources list the states
     * but not their exact meaning, so this is the plain reading of their names.
     */
    static boolean isCall(TelephonyState state) {
        return state == TelephonyState.ACTIVE;
    }

    /** The bridge's version, from its jar's manifest, or {@code development}. */
    static String version() {
        String v = BridgeModule.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
