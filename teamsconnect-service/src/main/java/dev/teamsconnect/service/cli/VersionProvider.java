package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** The version from the build (a Maven-filtered resource). */
final class VersionProvider implements IVersionProvider {

    static String version() {
        return BuildInfo.version();
    }

    @Override
    public String[] getVersion() {
        return new String[] {"teamsconnect " + version(), "Java " + System.getProperty("java.version")};
    }
}
