package dev.teamsconnect.starface.bridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How STARFACE's XML-RPC interface ({@code /xml-rpc}) takes the PBX login: a query parameter on every request.
 * <ul>
 *   <li>Up to STARFACE 9: {@value #AUTH_PARAMETER}{@code =<login>:sha512(<login>*sha512(<password>))}, both hashes
 *       as lower-case hex, the asterisk a literal character. Two third-party sources agree on this (the
 *       SFWiki page {@code Tutorial-für-Entwickler/dev_xmlrpc} and a module maker's "HowTo: STARFACE XML-RPC nutzen",
 *       which also says that before 6.4.2.19 it was an MD5 value, not supported here).</li>
 *   <li>STARFACE 10: {@value #JWT_PARAMETER}{@code =<access token>} instead, per third-party notes
 *       (shared/reference/starface-api.md); the token is the one the REST sink got from the PBX's OAuth login.</li>
 * </ul>
 * The value is a credential: it must never be logged, and goes only to the PBX it was made for.
 */
public final class XmlRpcLogin {

    public static final String AUTH_PARAMETER = "de.vertico.starface.auth";
    public static final String JWT_PARAMETER = "de.vertico.starface.jwt";

    private XmlRpcLogin() {
    }

    /** The {@value #AUTH_PARAMETER} value for {@code login} and {@code password}. */
    public static String authValue(String login, String password) {
        return login + ":" + sha512Hex(login + "*" + sha512Hex(password));
    }

    static String sha512Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }
}
