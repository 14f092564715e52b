package dev.teamsconnect.service.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code starface} section: the PBX to write to. {@link #toString()} hides the password.
 *
 * @param baseUrl        the appliance, e.g. {@code https://pbx.example.com}
 * @param loginId        the login ID of the API user (kept as written: {@code "0001"} stays 0001)
 * @param password       the API user's password
 * @param tlsCertificate a PEM certificate or CA to trust in addition to the JVM's (self-signed appliances)
 * @param tlsPin         an optional fingerprint the appliance certificate must match, {@code sha256/<base64>} or
 *                       64 hex digits
 */
public record StarfaceConfig(URI baseUrl, String loginId, Secret password, Optional<Path> tlsCertificate,
                             Optional<String> tlsPin) {

    public StarfaceConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(loginId, "loginId");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tlsCertificate, "tlsCertificate");
        Objects.requireNonNull(tlsPin, "tlsPin");
    }
}
