package dev.teamsconnect.service.config;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password or token kept only as a salted PBKDF2-HMAC-SHA256 hash, in the form
 * {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (salt and hash in Base64), as {@code teamsconnect hash-secret} prints
 * it. The JDK's own PBKDF2 ({@code PBKDF2WithHmacSHA256}); the comparison takes the same time whatever matches.
 * {@link #toString()} shows no part of the hash.
 */
public final class SecretHash {

    /** The prefix of the only supported form. */
    public static final String PREFIX = "pbkdf2-sha256";
    /** The iterations of a new hash: about 50 ms per check on a small server, once per browser session and header. */
    public static final int ITERATIONS = 100_000;
    private static final int MIN_ITERATIONS = 10_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private SecretHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** A new hash of {@code secret} with a random salt. */
    public static SecretHash of(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        return new SecretHash(ITERATIONS, salt, derive(secret, salt, ITERATIONS));
    }

    /**
     * Parses the printed form.
     *
     * @return the hash, or empty when {@code text} is not of the form {@code pbkdf2-sha256:ITERATIONS:SALT:HASH}
     */
    public static Optional<SecretHash> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.strip().split(":", -1);
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            return Optional.empty();
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS || salt.length < 8 || hash.length != HASH_BYTES) {
                return Optional.empty();
            }
            return Optional.of(new SecretHash(iterations, salt, hash));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code secret} is the one hashed. */
    public boolean matches(String secret) {
        if (secret == null) {
            return false;
        }
        return MessageDigest.isEqual(hash, derive(secret, salt, iterations));
    }

    /** The printed form, for the config file. */
    public String encoded() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + ":" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        char[] chars = secret.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** An example of the form, for messages (never a real hash). */
    static String example() {
        return PREFIX + ":" + ITERATIONS + ":SALT:HASH";
    }

    @Override
    public String toString() {
        return "SecretHash[" + PREFIX + ", hidden]";
    }
}
