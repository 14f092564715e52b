package dev.teamsconnect.starface.bridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The shared secret every entry point checks, on top of the PBX login. The comparison takes the same time whatever
 * the given value ({@link MessageDigest#isEqual} on SHA-256 digests, so not even the length leaks). The secret is
 * never part of {@link #toString()}, a message or a fault.
 */
public final class SecretCheck {

    private final byte[] expected;

    /** @throws IllegalArgumentException if the secret is shorter than {@link BridgeProtocol#MIN_SECRET} */
    public SecretCheck(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length() < BridgeProtocol.MIN_SECRET) {
            throw new IllegalArgumentException("the bridge secret is shorter than " + BridgeProtocol.MIN_SECRET
                    + " characters");
        }
        this.expected = digest(secret);
    }

    /** Whether {@code given} is the secret; null is not. */
    public boolean matches(Object given) {
        if (!(given instanceof String s)) {
            return false;
        }
        return MessageDigest.isEqual(expected, digest(s));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "SecretCheck[secret hidden]";
    }
}
