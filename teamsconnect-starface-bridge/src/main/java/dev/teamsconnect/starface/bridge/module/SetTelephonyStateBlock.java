package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.annotations.Function;
import de.vertico.starface.module.core.runtime.annotations.InputVar;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import java.util.HashMap;
import java.util.Map;

/** The entry point {@code setTelephonyState}: publishes a telephony state for a user's BLF keys ({@link BridgeProtocol#SET_TELEPHONY_STATE}). */
@Function
public final class SetTelephonyStateBlock extends EntryPointBlock {

    @InputVar(label = BridgeProtocol.SECRET)
    public Object secret;

    @InputVar(label = BridgeProtocol.ACCOUNT_ID)
    public Object accountId;

    @InputVar(label = BridgeProtocol.STATE)
    public Object state;

    @Override
    String entryPoint() {
        return BridgeProtocol.SET_TELEPHONY_STATE;
    }

    @Override
    Map<String, Object> arguments() {
        Map<String, Object> args = new HashMap<>();
        args.put(BridgeProtocol.SECRET, secret);
        args.put(BridgeProtocol.ACCOUNT_ID, accountId);
        args.put(BridgeProtocol.STATE, state);
        return args;
    }
}
