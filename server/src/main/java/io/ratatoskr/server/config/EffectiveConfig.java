package io.ratatoskr.server.config;

import java.util.List;
import java.util.Map;

/**
 * The configuration a server runs with: the settings, each key's value and where it came from, and
 * the warnings found on the way (unknown {@code RATATOSKR_} variables).
 *
 * <p>Thread-safety: immutable.
 *
 * @param settings the settings to start with
 * @param values   every key's value, by key name
 * @param sources  where every key's value came from, by key name
 * @param warnings problems that do not stop the start
 */
public record EffectiveConfig(ServerSettings settings, Map<String, Object> values, Map<String, ConfigSource> sources,
                              List<String> warnings) {
    public EffectiveConfig {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        sources = Map.copyOf(sources);
        warnings = List.copyOf(warnings);
    }

    /**
     * The configuration as a YAML file that gives the same settings: every key in sections, each
     * followed by a comment saying where its value came from ({@code # default}, {@code # env ...}).
     */
    public String toYaml() {
        StringBuilder out = new StringBuilder("# Effective configuration of ratatoskr server; after each value, "
                + "where it came from.\n");
        String[] previous = new String[0];
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            String[] parts = k.name().split("\\.");
            int common = 0;
            while (common < parts.length - 1 && common < previous.length - 1
                    && parts[common].equals(previous[common])) {
                common++;
            }
            for (int i = common; i < parts.length - 1; i++) {
                out.append("  ".repeat(i)).append(parts[i]).append(":\n");
            }
            out.append("  ".repeat(parts.length - 1)).append(parts[parts.length - 1]).append(": ")
                    .append(k.format(values.get(k.name()))).append("  # ").append(sources.get(k.name())).append('\n');
            previous = parts;
        }
        return out.toString();
    }
}
