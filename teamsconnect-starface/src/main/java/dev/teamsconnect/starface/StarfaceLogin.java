package dev.teamsconnect.starface;

import java.util.LinkedHashMap;
import java.util.Map;

/** How the sink signs in to STARFACE: {@code starface.login}. */
public enum StarfaceLogin {
    /**
     * OAuth when a client secret is configured and the realm's discovery document answers; otherwise the nonce
     * login. Once the discovery document answered, a refused grant is an error, never a silent switch to the nonce
     * login.
     */
    AUTO("auto"),
    /** The nonce login ({@code GET}/{@code POST /rest/login}, header {@code authToken}), every version from 6.4.2.12. */
    NONCE("nonce"),
    /** STARFACE 10's OAuth: password grant at the Keycloak realm {@code pbx}, header {@code Authorization: Bearer}. */
    OAUTH("oauth");

    private final String code;

    StarfaceLogin(String code) {
        this.code = code;
    }

    /** The config value. */
    public String code() {
        return code;
    }

    /** The config values, for {@code ProviderConfig.choice}. */
    static Map<String, StarfaceLogin> byCode() {
        Map<String, StarfaceLogin> out = new LinkedHashMap<>();
        for (StarfaceLogin l : values()) {
            out.put(l.code, l);
        }
        return out;
    }
}
