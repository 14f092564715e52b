package dev.teamsconnect.core.spi;

/**
 * Receives every decision of the engine. Called on the engine's sync thread: return quickly, never throw
 * (an exception is logged and ignored).
 */
@FunctionalInterface
public interface AuditListener {

    void onEvent(AuditEvent event);
}
