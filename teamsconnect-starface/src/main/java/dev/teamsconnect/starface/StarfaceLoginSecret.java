package dev.teamsconnect.starface;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The {@code secret} of {@code POST /rest/login}, per login type (reference: starface-api.md, "Secret").
 * The result is a credential: never log it or put it in a message.
 */
final class StarfaceLoginSecret {

    private StarfaceLoginSecret() {
    }

    /** {@code Internal}: {@code loginId + ":" + hex(SHA512(loginId + nonce + hex(SHA512(password))))}, lowercase hex, UTF-8. */
    static String internal(String loginId, String nonce, String password) {
        return loginId + ":" + sha512Hex(loginId + nonce + sha512Hex(password));
    }

    /** {@code ActiveDirectory}: {@code Base64(loginId + nonce + password)}, UTF-8. */
    static String activeDirectory(String loginId, String nonce, String password) {
        return Base64.getEncoder().encodeToString((loginId + nonce + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String sha512Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }
}
