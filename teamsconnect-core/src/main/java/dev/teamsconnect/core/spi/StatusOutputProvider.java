package dev.teamsconnect.core.spi;

/**
 * Creates a {@link StatusOutput}; found with {@link java.util.ServiceLoader} (register with
 * {@code @AutoService(StatusOutputProvider.class)}). A small factory like the other providers: a public no-arg
 * constructor that does no I/O, a stable {@link #id()} (the {@code type} of an entry under {@code outputs}), and
 * {@link #create} that validates the entry and fails with a {@link dev.teamsconnect.core.error.ConfigException}
 * naming the key path.
 */
public interface StatusOutputProvider {

    /** The id users put in {@code outputs[].type}, e.g. {@code mqtt}. Lower case, stable. */
    String id();

    /** Builds the output from its config entry. Must not do network I/O: that happens in {@code open()}. */
    StatusOutput create(ProviderConfig config);
}
