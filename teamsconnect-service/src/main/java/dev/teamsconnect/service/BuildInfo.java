package dev.teamsconnect.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build (a Maven-filtered resource), for {@code --version} and {@code teamsconnect_build_info}. */
public final class BuildInfo {

    private BuildInfo() {
    }

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} when the resource is missing. */
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/teamsconnect/service/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown": the version is informational
        }
        return p.getProperty("version", "unknown");
    }
}
