package dev.teamsconnect.core.error;

/**
 * A plugin (source, sink, store) threw something that is not a {@link TeamsConnectException}, most likely a bug
 * in the plugin. The engine counts it, logs it with the provider id and treats it as a failure of this cycle;
 * the next cycle tries again.
 */
public class PluginException extends TeamsConnectException {

    private final String providerId;
    private final String operation;

    public PluginException(String providerId, String operation, Throwable cause) {
        super("plugin '" + providerId + "' failed in " + operation + ": " + cause, cause);
        this.providerId = providerId;
        this.operation = operation;
    }

    public String providerId() {
        return providerId;
    }

    public String operation() {
        return operation;
    }
}
