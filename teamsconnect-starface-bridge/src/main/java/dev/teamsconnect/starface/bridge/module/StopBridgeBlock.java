package dev.teamsconnect.starface.bridge.module;

import de.vertico.starface.module.core.runtime.IBaseExecutable;
import de.vertico.starface.module.core.runtime.IRuntimeEnvironment;
import de.vertico.starface.module.core.runtime.annotations.Function;

/**
 * Stops the bridge: removes its listeners. Run by the module instance when it stops or is updated; without it, a
 * module's old listeners live until the PBX restarts (SFWiki {@code dev_known_problems.md}).
 */
@Function
public final class StopBridgeBlock implements IBaseExecutable {

    @Override
    public void execute(IRuntimeEnvironment context) {
        BridgeModule.stop();
    }
}
