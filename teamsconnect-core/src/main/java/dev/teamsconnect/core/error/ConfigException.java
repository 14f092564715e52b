package dev.teamsconnect.core.error;

/** Bad configuration. The message names the key path and the bad value (never a secret's value). */
public class ConfigException extends TerminalException {

    private final String keyPath;

    public ConfigException(String keyPath, String message) {
        super(keyPath + ": " + message);
        this.keyPath = keyPath;
    }

    /** The dotted path of the offending key, e.g. {@code starface.baseUrl}. */
    public String keyPath() {
        return keyPath;
    }
}
