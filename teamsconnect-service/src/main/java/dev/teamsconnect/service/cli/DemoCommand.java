package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.StopSignal;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code demo [--lang de|en]}: the engine against embedded emulators; no config, no network. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Shows the sync on built-in emulators; needs no config and no network.",
                "Plays a scripted working day of Teams presence against built-in Graph and STARFACE",
                "emulators and prints each change and its reason. Ends by itself."})
final class DemoCommand implements Callable<Integer> {

    private final CliEnvironment env;

    @Mixin
    LanguageOption language = new LanguageOption();

    DemoCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    @SuppressWarnings("try") // the resources only need closing
    public Integer call() throws Exception {
        StopSignal stop = new StopSignal();
        try (ShutdownHook hook = ShutdownHook.install(env.installShutdownHook(), stop)) {
            env.runtime().demo(env.out(), stop, language.messages());
        }
        env.out().flush();
        return 0;
    }
}
