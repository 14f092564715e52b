package dev.teamsconnect.service.config;

import dev.teamsconnect.core.spi.ProviderConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated service configuration. Immutable; {@link #toString()} shows no secret.
 *
 * <p>The source and sink plugins are chosen by id ({@code source.type}, default {@value #DEFAULT_SOURCE};
 * {@code sink.type}, default {@value #DEFAULT_SINK}). Each plugin gets its section as a {@link ProviderConfig}
 * through {@link #sourceConfig()} / {@link #sinkConfig()}: {@code teams} for the {@code graph} source,
 * {@code starface} for the {@code starface} sink, and for any other plugin the top-level section named like its
 * id. The typed {@link #teams()} and {@link #starface()} are present exactly when those plugins are selected.
 *
 * @param source   the presence source id
 * @param sink     the PBX sink id
 * @param teams    the validated {@code teams} section (source {@code graph})
 * @param starface the validated {@code starface} section (sink {@code starface})
 * @param users    which users are synced
 * @param mapping  the status policy
 * @param state    where holds are kept
 * @param server   the HTTP endpoints
 * @param sections the raw plugin sections (after {@code ${NAME}} substitution, defaults filled in), by name
 * @param warnings things that are allowed but probably not meant (e.g. a key that the chosen auth mode ignores)
 */
public record ServiceConfig(String source, String sink, Optional<TeamsConfig> teams, Optional<StarfaceConfig> starface,
                            UsersConfig users, MappingConfig mapping, StateConfig state, ServerConfig server,
                            Map<String, ProviderConfig> sections, List<String> warnings) {

    public static final String DEFAULT_SOURCE = "graph";
    public static final String DEFAULT_SINK = "starface";

    public ServiceConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(teams, "teams");
        Objects.requireNonNull(starface, "starface");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(server, "server");
        sections = Map.copyOf(sections);
        warnings = List.copyOf(warnings);
    }

    /** The config section name of a source plugin: {@code teams} for {@code graph}, else the id itself. */
    public static String sourceSectionName(String sourceId) {
        return DEFAULT_SOURCE.equals(sourceId) ? "teams" : sourceId;
    }

    /** The config section name of a sink plugin: the id itself ({@code starface} for {@code starface}). */
    public static String sinkSectionName(String sinkId) {
        return sinkId;
    }

    /** The section for the chosen source plugin, for {@code PresenceSourceProvider.create}; empty when absent. */
    public ProviderConfig sourceConfig() {
        String name = sourceSectionName(source);
        return sections.getOrDefault(name, ProviderConfig.empty(name));
    }

    /** The section for the chosen sink plugin, for {@code PbxSinkProvider.create}; empty when absent. */
    public ProviderConfig sinkConfig() {
        String name = sinkSectionName(sink);
        return sections.getOrDefault(name, ProviderConfig.empty(name));
    }
}
