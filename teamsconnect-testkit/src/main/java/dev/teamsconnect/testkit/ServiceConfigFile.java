package dev.teamsconnect.testkit;

import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service config file ({@code teamsconnect.jar run --config FILE}) for a Graph and a STARFACE emulator: both
 * sides with their trust files written next to the file, the secrets as {@code ${TEAMS_CLIENT_SECRET}} and
 * {@code ${STARFACE_PASSWORD}}, every other key at its shipped default. For tests that run the shipped service
 * against the emulators.
 */
public final class ServiceConfigFile {

    private ServiceConfigFile() {
    }

    /**
     * Writes the file.
     *
     * @param file         where (its directory receives graph.pem and pbx.pem)
     * @param graph        the Graph emulator; {@code clientId} must be registered there with the secret the process
     *                     gets as {@code TEAMS_CLIENT_SECRET}
     * @param pbx          the STARFACE emulator (HTTPS); {@code loginId} must be a user there whose password the
     *                     process gets as {@code STARFACE_PASSWORD}
     * @param stateFile    {@code state.file}
     * @param port         {@code server.port} (0: no endpoints)
     * @param pollInterval {@code teams.pollInterval}, e.g. {@code 2s}
     * @return {@code file}
     */
    public static Path write(Path file, GraphEmulator graph, String clientId, StarfaceEmulator pbx, String loginId,
                             Path stateFile, int port, String pollInterval) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.writeString(file, """
                teams:
                  tenantId: %s
                  clientId: "%s"
                  auth:
                    mode: client-credentials
                    clientSecret: ${TEAMS_CLIENT_SECRET}
                  authorityHost: %s
                  graphBaseUrl: %s
                  pollInterval: %s
                  tls:
                    certificate: %s
                starface:
                  baseUrl: %s
                  loginId: "%s"
                  password: ${STARFACE_PASSWORD}
                  tls:
                    certificate: %s
                state:
                  file: %s
                server:
                  port: %d
                """.formatted(graph.tenantId(), clientId, graph.authorityHost(), graph.graphBaseUrl(), pollInterval,
                graph.writeCertificatePem(dir.resolve("graph.pem")), pbx.baseUrl(), loginId,
                pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem")), stateFile, port));
        return file;
    }
}
