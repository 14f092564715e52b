package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** A short, secret-free description of a valid config, for {@code check --config-only}. */
final class ConfigSummary {

    private ConfigSummary() {
    }

    static String describe(Path file, ServiceConfig c) {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": OK").append(System.lineSeparator());
        sb.append("  source: ").append(c.source()).append(" (section ").append(ServiceConfig.sourceSectionName(c.source()))
                .append(", checked by its plugin)");
        sb.append(System.lineSeparator()).append("  sink:   ").append(c.sink()).append(" (section ")
                .append(ServiceConfig.sinkSectionName(c.sink())).append(", checked by its plugin)");
        // "group 'Sales'", not "group of group Sales"
        sb.append(System.lineSeparator()).append("  users:  ").append(c.users().group().map(g -> "group '" + g + "'")
                .orElse(c.users().scope().code()));
        sb.append(", ").append(c.users().overrides().size()).append(" override(s), listed again every ")
                .append(dev.teamsconnect.core.model.HumanDuration.of(c.users().refreshInterval()));
        sb.append(System.lineSeparator()).append("  DND on: ").append(c.mapping().dnd().stream().map(d -> d.code()).sorted()
                .collect(Collectors.joining(", "))).append("; manual DND: ").append(c.mapping().manualDnd().code());
        sb.append(System.lineSeparator()).append("  outputs: ").append(c.outputs().isEmpty() ? "none"
                : c.outputs().stream().map(o -> o.type() + " (" + o.path() + ")").collect(Collectors.joining(", "))
                + ", each checked by its plugin");
        sb.append(System.lineSeparator()).append("  state:  ").append(c.state().file());
        sb.append(System.lineSeparator()).append("  server: ")
                .append(c.server().enabled() ? c.server().bind() + ":" + c.server().port() : "off");
        return sb.toString();
    }
}
