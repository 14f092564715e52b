package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.annotations.Function;
import de.vertico.starface.module.core.runtime.annotations.InputVar;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import java.util.HashMap;
import java.util.Map;

/** The entry point {@code getChatStatus}: the chat presence and text of accounts ({@link BridgeProtocol#GET_CHAT_STATUS}). */
@Function
public final class GetChatStatusBlock extends EntryPointBlock {

    @InputVar(label = BridgeProtocol.SECRET)
    public Object secret;

    @InputVar(label = BridgeProtocol.ACCOUNT_IDS)
    public Object accountIds;

    @Override
    String entryPoint() {
        return BridgeProtocol.GET_CHAT_STATUS;
    }

    @Override
    Map<String, Object> arguments() {
        Map<String, Object> args = new HashMap<>();
        args.put(BridgeProtocol.SECRET, secret);
        args.put(BridgeProtocol.ACCOUNT_IDS, accountIds);
        return args;
    }
}
