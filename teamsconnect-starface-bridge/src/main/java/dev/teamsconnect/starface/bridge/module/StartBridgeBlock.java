package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.IBaseExecutable;
import de.vertico.starface.module.core.runtime.IRuntimeEnvironment;
import de.vertico.starface.module.core.runtime.annotations.Function;
import de.vertico.starface.module.core.runtime.annotations.InputVar;

/**
 * Starts the bridge: run by the module instance when it starts, with the secret from the instance's configuration
 * (which of STARFACE's triggers runs a function block at module start is not in the public sources; the descriptor
 * names it as far as known). Stops a bridge that still runs first, so a restart leaves no listener twice.
 */
@Function
public final class StartBridgeBlock implements IBaseExecutable {

    @InputVar(label = "secret")
    public String secret;

    @Override
    public void execute(IRuntimeEnvironment context) {
        BridgeModule.start(context, secret);
    }
}
