package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.CheckOptions;
import dev.teamsconnect.service.config.ServiceConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code check --config FILE [--config-only] [--all] [--format text|csv] [--lang de|en]}. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks the config and the sign-in to both sides; prints the user mapping.",
                "Validates the config, signs in to Teams and the PBX and prints the mapping problems",
                "(unmatched on each side, ambiguous, disabled) with their fixes, then how many users are",
                "matched. Writes nothing: not to the PBX, not to the state file, not to a token cache.",
                "Exit 0 only when both sides work."})
final class CheckCommand implements Callable<Integer> {

    private final CliEnvironment env;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--config-only", description = {"Only validate the config file (every section, by its plugin);",
            "do not sign in anywhere."})
    boolean configOnly;

    @Option(names = "--all", description = "Also list every matched user (and those outside the group, disabled).")
    boolean all;

    @Option(names = "--format", paramLabel = "text|csv", defaultValue = "TEXT",
            description = {"text (default) or csv: every user as one CSV row (outcome,teams_user,pbx_user,detail)",
                    "on stdout for a spreadsheet; the sign-in lines then go to stderr."})
    CheckOptions.Format format = CheckOptions.Format.TEXT;

    @Mixin
    LanguageOption language = new LanguageOption();

    CheckCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ServiceConfig c = configOnly ? config.loadWithPluginProblems(env) : config.load(env);
        if (configOnly) {
            // the plugins check their sections exactly as run creates them: no network, exit 2 on any problem
            config.warn(env, env.runtime().validate(c));
            env.out().println(ConfigSummary.describe(config.file, c));
            env.out().flush();
            return 0;
        }
        // the runtime creates the plugins first: a rejected section is a config error (exit 2) before any sign-in
        CheckOptions options = new CheckOptions(all, format, language.messages());
        boolean ok = env.runtime().check(c, options, env.out(), env.err());
        env.out().flush();
        return ok ? 0 : 1;
    }
}
