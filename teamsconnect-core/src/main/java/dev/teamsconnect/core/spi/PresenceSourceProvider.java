package dev.teamsconnect.core.spi;

/**
 * Creates a {@link PresenceSource}; found with {@link java.util.ServiceLoader} (register with
 * {@code @AutoService(PresenceSourceProvider.class)}). A provider is a small factory: a public no-arg constructor that
 * does no I/O, a stable {@link #id()}, and {@link #create} that validates its config and fails with a
 * {@link dev.teamsconnect.core.error.ConfigException} naming the key path.
 */
public interface PresenceSourceProvider {

    /** The id users put in the config file to choose this provider, e.g. {@code graph}. Lower case, stable. */
    String id();

    /** Builds the presence source from its config section. Must not do network I/O: that happens in {@code open()}. */
    PresenceSource create(ProviderConfig config);
}
