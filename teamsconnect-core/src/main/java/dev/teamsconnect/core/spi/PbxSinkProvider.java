package dev.teamsconnect.core.spi;

/**
 * Creates a {@link PbxSink}; found with {@link java.util.ServiceLoader} (register with
 * {@code @AutoService(PbxSinkProvider.class)}). A provider is a small factory: a public no-arg constructor that
 * does no I/O, a stable {@link #id()}, and {@link #create} that validates its config and fails with a
 * {@link dev.teamsconnect.core.error.ConfigException} naming the key path.
 */
public interface PbxSinkProvider {

    /** The id users put in the config file to choose this provider, e.g. {@code starface}. Lower case, stable. */
    String id();

    /** Builds the PBX sink from its config section. Must not do network I/O: that happens in {@code open()}. */
    PbxSink create(ProviderConfig config);
}
