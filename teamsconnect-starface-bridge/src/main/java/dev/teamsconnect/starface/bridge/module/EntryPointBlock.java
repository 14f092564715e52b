package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.IBaseExecutable;
import de.vertico.starface.module.core.runtime.IRuntimeEnvironment;
import de.vertico.starface.module.core.runtime.annotations.OutputVar;
import dev.teamsconnect.starface.bridge.XmlRpcFault;
import java.util.Map;

/**
 * One XML-RPC entry point as a function block: its input variables are the members of the call's struct (how
 * STARFACE maps a struct to input variables is assumed: by name), its one output variable the answer. A fault is
 * thrown as an {@link EntryPointFault} carrying the bridge's code; how STARFACE turns an exception of a function block
 * into an XML-RPC fault is not in the public sources.
 */
abstract class EntryPointBlock implements IBaseExecutable {

    @OutputVar(label = "result")
    public Map<String, Object> result;

    /** The entry point's name ({@link dev.teamsconnect.starface.bridge.BridgeProtocol#ENTRY_POINTS}). */
    abstract String entryPoint();

    /** The call's struct, from the input variables. */
    abstract Map<String, Object> arguments();

    @Override
    public final void execute(IRuntimeEnvironment context) throws EntryPointFault {
        try {
            result = BridgeModule.entryPoints().call(entryPoint(), arguments());
        } catch (XmlRpcFault f) {
            throw new EntryPointFault(f);
        }
    }

    /** A fault of the bridge, for the PBX's XML-RPC interface. */
    static final class EntryPointFault extends Exception {
        final int code;

        EntryPointFault(XmlRpcFault f) {
            super(f.getMessage());
            this.code = f.code();
        }
    }
}
