package dev.teamsconnect.examples.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies webhook bodies: {@code sha256=} + lower-case hex of HMAC-SHA256 over
 * {@code timestamp + "." + body} (UTF-8), keyed with the UTF-8 bytes of the secret. The timestamp is part of the
 * signed material so a captured request cannot be replayed later with a fresh timestamp; receivers reject
 * timestamps too far from their own clock (see {@link #verify}). Thread-safe.
 */
public final class WebhookSigner {

    private static final String ALGORITHM = "HmacSHA256";
    public static final String PREFIX = "sha256=";

    private final SecretKeySpec key;

    public WebhookSigner(WebhookSettings.Secret secret) {
        this.key = new SecretKeySpec(secret.bytes(), ALGORITHM);
    }

    /** The value of the signature header for this timestamp (Unix seconds) and body. */
    public String signatureHeader(long timestamp, String body) {
        return PREFIX + HexFormat.of().formatHex(mac(timestamp, body));
    }

    /**
     * What a receiver does: checks that {@code timestamp} is within {@code toleranceSeconds} of {@code nowSeconds}
     * and that {@code signatureHeader} is the signature of {@code timestamp + "." + body}, comparing in constant
     * time.
     */
    public boolean verify(String timestampHeader, String signatureHeader, String body, long nowSeconds,
                          long toleranceSeconds) {
        if (timestampHeader == null || signatureHeader == null || !signatureHeader.startsWith(PREFIX)) {
            return false;
        }
        long timestamp;
        byte[] given;
        try {
            timestamp = Long.parseLong(timestampHeader.trim());
            given = HexFormat.of().parseHex(signatureHeader.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
            return false;
        }
        return MessageDigest.isEqual(mac(timestamp, body), given);
    }

    private byte[] mac(long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            // Every Java runtime must provide HmacSHA256.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSigner[HmacSHA256, key hidden]";
    }
}
