package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.model.ChatPresence;
import de.vertico.starface.module.core.model.NewUserStateEvent;
import de.vertico.starface.module.core.model.StarfaceEventService;
import de.vertico.starface.module.core.model.TelephonyState;
import de.vertico.starface.module.core.model.TelephonyStateChangedEvent;
import de.vertico.starface.module.core.model.UserState;
import de.vertico.starface.module.core.model.UserStateBusinessObject;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import dev.teamsconnect.starface.bridge.ChatState;
import dev.teamsconnect.starface.bridge.PbxAccess;
import dev.teamsconnect.starface.bridge.XmlRpcFault;

/**
 * {@link PbxAccess} inside STARFACE: chat presence and text through the user state and a {@code NewUserStateEvent},
 * the BLF state as a published {@code TelephonyStateChangedEvent} (shared/reference/starface-api.md, "Inside the
 * PBX"). Presence names pass through {@link ChatPresence#valueOf}; an unknown one is an argument fault naming it.
 */
final class StarfacePbxAccess implements PbxAccess {

    private final UserStateBusinessObject users;
    private final StarfaceEventService events;

    StarfacePbxAccess(UserStateBusinessObject users, StarfaceEventService events) {
        this.users = users;
        this.events = events;
    }

    @Override
    public ChatState chatState(int accountId) throws XmlRpcFault {
        UserState s = state(accountId);
        ChatPresence p = s.getChatPresence();
        String text = s.getChatPresenceMessage();
        return new ChatState(p == null ? "" : p.name(), text == null ? "" : text);
    }

    @Override
    public ChatState setChatState(int accountId, String presence, String text) throws XmlRpcFault {
        UserState s = state(accountId);
        if (presence != null) {
            try {
                s.setChatPresence(ChatPresence.valueOf(presence));
            } catch (IllegalArgumentException e) {
                throw new XmlRpcFault(BridgeProtocol.FAULT_ARGUMENT, "this PBX has no chat presence '" + presence + "'");
            }
        }
        s.setChatPresenceMessage(text);
        try {
            events.publish(new NewUserStateEvent(accountId, s));
        } catch (RuntimeException e) {
            throw new XmlRpcFault(BridgeProtocol.FAULT_PBX, "publishing the new user state failed: " + e);
        }
        return chatState(accountId);
    }

    @Override
    public void setTelephonyState(int accountId, String state) throws XmlRpcFault {
        state(accountId);
        try {
            events.publish(new TelephonyStateChangedEvent(accountId, TelephonyState.valueOf(state)));
        } catch (IllegalArgumentException e) {
            throw new XmlRpcFault(BridgeProtocol.FAULT_ARGUMENT, "this PBX has no telephony state '" + state + "'");
        } catch (RuntimeException e) {
            throw new XmlRpcFault(BridgeProtocol.FAULT_PBX, "publishing the telephony state failed: " + e);
        }
    }

    @Override
    public String pbxVersion() {
        // no public source names an API for it: the implementation version of the PBX's own jar, if it has one
        String v = UserStateBusinessObject.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    private UserState state(int accountId) throws XmlRpcFault {
        UserState s;
        try {
            s = users.getUserState(accountId);
        } catch (RuntimeException e) {
            throw new XmlRpcFault(BridgeProtocol.FAULT_PBX, "reading the state of account " + accountId + " failed: " + e);
        }
        if (s == null) {
            throw new XmlRpcFault(BridgeProtocol.FAULT_UNKNOWN_ACCOUNT, "no PBX account " + accountId);
        }
        return s;
    }
}
