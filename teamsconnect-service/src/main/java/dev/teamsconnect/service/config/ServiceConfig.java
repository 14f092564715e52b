package dev.teamsconnect.service.config;

import dev.teamsconnect.core.spi.ProviderConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated service configuration. Immutable; {@link #toString()} shows no value of a plugin section.
 *
 * <p>The source and sink plugins are chosen by id ({@code source.type}, default {@value #DEFAULT_SOURCE};
 * {@code sink.type}, default {@value #DEFAULT_SINK}). Each plugin owns its section and validates it itself: it gets
 * the section as a {@link ProviderConfig} (with the lines of the file and the substituted values hidden) through
 * {@link #sourceConfig()} / {@link #sinkConfig()}: {@code teams} for the {@code graph} source, {@code starface}
 * for the {@code starface} sink, and for any other plugin the top-level section named like its id.
 *
 * @param source   the presence source id
 * @param sink     the PBX sink id
 * @param users    which users are synced and how often they are listed again
 * @param mapping  the status policy
 * @param state    where holds are kept
 * @param ha       whether instances share the state database, one leading (ha.mode)
 * @param server   the HTTP endpoints
 * @param sections the raw plugin sections (after {@code ${NAME}} substitution), by name
 * @param origin   the file, the line of each key and which values were substituted
 * @param warnings things that are allowed but probably not meant (e.g. a group that scope all ignores)
 * @param pbxToTeams the PBX-to-Teams direction (section {@code pbxToTeams}; off by default)
 * @param outputs  the status outputs ({@code outputs}), in file order; each entry is validated by its provider
 */
public record ServiceConfig(String source, String sink, UsersConfig users, MappingConfig mapping, StateConfig state,
                            HaConfig ha, ServerConfig server, Map<String, Map<String, Object>> sections,
                            ConfigOrigin origin,
                            List<String> warnings, dev.teamsconnect.core.engine.PbxToTeams pbxToTeams,
                            List<OutputEntry> outputs) {

    /**
     * One entry of {@code outputs}: its position, its {@code type} (the provider id, checked by the service) and its
     * other keys (after {@code ${NAME}} substitution), which only the provider checks.
     */
    public record OutputEntry(int index, String type, Map<String, Object> values) {
        public OutputEntry {
            Objects.requireNonNull(type, "type");
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        /** The key path of the entry, e.g. {@code outputs[0]}. */
        public String path() {
            return ProviderConfig.index("outputs", index);
        }
    }

    public static final String DEFAULT_SOURCE = "graph";
    public static final String DEFAULT_SINK = "starface";

    public ServiceConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(ha, "ha");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(pbxToTeams, "pbxToTeams");
        sections = Map.copyOf(new LinkedHashMap<>(sections));
        warnings = List.copyOf(warnings);
        outputs = List.copyOf(outputs);
    }

    /**
     * The entry for its output's {@code StatusOutputProvider.create}: prefix {@code outputs[n]}, every key but
     * {@code type}, with the lines of the file and the substituted values hidden. A new instance per call.
     */
    public ProviderConfig outputConfig(OutputEntry entry) {
        return origin.section(entry.path(), entry.values());
    }

    /** The config section name of a source plugin: {@code teams} for {@code graph}, else the id itself. */
    public static String sourceSectionName(String sourceId) {
        return DEFAULT_SOURCE.equals(sourceId) ? "teams" : sourceId;
    }

    /** The config section name of a sink plugin: the id itself ({@code starface} for {@code starface}). */
    public static String sinkSectionName(String sinkId) {
        return sinkId;
    }

    /**
     * The section for the chosen source plugin, for {@code PresenceSourceProvider.create}; empty when absent. A new
     * instance per call, so each validation collects its own problems.
     */
    public ProviderConfig sourceConfig() {
        String name = sourceSectionName(source);
        return origin.section(name, sections.getOrDefault(name, Map.of()));
    }

    /** The section for the chosen sink plugin, for {@code PbxSinkProvider.create}; empty when absent. */
    public ProviderConfig sinkConfig() {
        String name = sinkSectionName(sink);
        return origin.section(name, sections.getOrDefault(name, Map.of()));
    }

    @Override
    public String toString() {
        // plugin sections may hold secrets written in the file: keys only
        Map<String, Object> keys = new LinkedHashMap<>();
        sections.forEach((name, values) -> keys.put(name, values.keySet()));
        return "ServiceConfig[source=" + source + ", sink=" + sink + ", users=" + users + ", mapping=" + mapping
                + ", state=" + state + ", ha=" + ha + ", server=" + server + ", sections=" + keys + ", pbxToTeams=" + pbxToTeams
                + ", outputs=" + outputs.stream().map(OutputEntry::type).toList() + ", origin=" + origin.source() + "]";
    }
}
