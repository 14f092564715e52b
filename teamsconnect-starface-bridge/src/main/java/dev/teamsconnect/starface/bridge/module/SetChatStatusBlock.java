package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.annotations.Function;
import de.vertico.starface.module.core.runtime.annotations.InputVar;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import java.util.HashMap;
import java.util.Map;

/** The entry point {@code setChatStatus}: sets a user's chat text (and presence) ({@link BridgeProtocol#SET_CHAT_STATUS}). */
@Function
public final class SetChatStatusBlock extends EntryPointBlock {

    @InputVar(label = BridgeProtocol.SECRET)
    public Object secret;

    @InputVar(label = BridgeProtocol.ACCOUNT_ID)
    public Object accountId;

    @InputVar(label = BridgeProtocol.PRESENCE)
    public Object presence;

    @InputVar(label = BridgeProtocol.TEXT)
    public Object text;

    @Override
    String entryPoint() {
        return BridgeProtocol.SET_CHAT_STATUS;
    }

    @Override
    Map<String, Object> arguments() {
        Map<String, Object> args = new HashMap<>();
        args.put(BridgeProtocol.SECRET, secret);
        args.put(BridgeProtocol.ACCOUNT_ID, accountId);
        args.put(BridgeProtocol.PRESENCE, presence);
        args.put(BridgeProtocol.TEXT, text);
        return args;
    }
}
