package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.annotations.Function;
import de.vertico.starface.module.core.runtime.annotations.InputVar;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import java.util.HashMap;
import java.util.Map;

/** The entry point {@code events}: the call and DND events since a sequence number ({@link BridgeProtocol#EVENTS}). */
@Function
public final class EventsBlock extends EntryPointBlock {

    @InputVar(label = BridgeProtocol.SECRET)
    public Object secret;

    @InputVar(label = BridgeProtocol.SINCE)
    public Object since;

    @InputVar(label = BridgeProtocol.MAX)
    public Object max;

    @InputVar(label = BridgeProtocol.BRIDGE_ID)
    public Object bridgeId;

    @Override
    String entryPoint() {
        return BridgeProtocol.EVENTS;
    }

    @Override
    Map<String, Object> arguments() {
        Map<String, Object> args = new HashMap<>();
        args.put(BridgeProtocol.SECRET, secret);
        args.put(BridgeProtocol.SINCE, since);
        args.put(BridgeProtocol.MAX, max);
        args.put(BridgeProtocol.BRIDGE_ID, bridgeId);
        return args;
    }
}
