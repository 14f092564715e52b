package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.annotations.Function;
import de.vertico.starface.module.core.runtime.annotations.InputVar;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import java.util.HashMap;
import java.util.Map;

/** The entry point {@code version}: the bridge's and the PBX's version ({@link BridgeProtocol#VERSION}). */
@Function
public final class VersionBlock extends EntryPointBlock {

    @InputVar(label = BridgeProtocol.SECRET)
    public Object secret;

    @Override
    String entryPoint() {
        return BridgeProtocol.VERSION;
    }

    @Override
    Map<String, Object> arguments() {
        Map<String, Object> args = new HashMap<>();
        args.put(BridgeProtocol.SECRET, secret);
        return args;
    }
}
