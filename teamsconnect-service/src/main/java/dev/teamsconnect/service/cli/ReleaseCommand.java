package dev.teamsconnect.service.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code release --config FILE [--lang de|en]}: every held user gets their own DND back, the state is emptied. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Gives every user held by TeamsConnect their own DND back and empties the state file.",
                "For uninstalling, or after the host that ran the sync is gone for good. Reads no Teams presence;",
                "signs in to the PBX only. A DND that a user set by hand is kept. Refuses while the service runs",
                "on the same state file (stop it first). Exit 0 when no hold is left."})
final class ReleaseCommand implements Callable<Integer> {

    private final CliEnvironment env;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    LanguageOption language = new LanguageOption();

    ReleaseCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        boolean done = env.runtime().release(config.load(env), env.out(), language.messages());
        env.out().flush();
        return done ? 0 : TeamsConnectMain.EXIT_FAILURE;
    }
}
