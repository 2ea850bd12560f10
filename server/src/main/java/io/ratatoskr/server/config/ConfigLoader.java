package io.ratatoskr.server.config;

import io.ratatoskr.server.config.YamlConfigFile.RawValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves the configuration of {@code ratatoskr server} from its layers — embedded defaults &lt; the
 * YAML file &lt; environment variables ({@code RATATOSKR_<KEY>}) &lt; command-line flags — types and
 * validates every value, and builds the {@link ServerSettings}. Every problem is collected, not just
 * the first: unknown keys (with the closest known key), values that do not parse or are out of range,
 * malformed YAML, a missing file, settings that need each other.
 *
 * <p>The environment is passed in (not read from the process) so that tests need not change their own.
 * Variables of the command-line tools ({@code RATATOSKR_URL}, {@code RATATOSKR_TOKEN}, ...) are not
 * keys; another {@code RATATOSKR_} variable that looks like a key (a known section, or a near miss)
 * gives a warning but is not an error: the environment is shared with other programs.
 *
 * <p>Thread-safety: stateless.
 */
public final class ConfigLoader {
    /** {@code RATATOSKR_} variables that belong to the scripts and the CLI, not to the server's keys. */
    static final Set<String> NOT_KEYS = Set.of("RATATOSKR_URL", "RATATOSKR_TOKEN", "RATATOSKR_CONFIG",
            "RATATOSKR_JAVA_OPTS", "RATATOSKR_BUF");

    private static final Map<String, ConfigKey<?>> BY_ENV = byEnv();

    /**
     * A value given on the command line.
     *
     * @param key  the key it sets
     * @param text the value as typed
     * @param flag the flag that gave it ({@code --mqtt-port}, {@code --set}), for messages
     */
    public record Flag(String key, String text, String flag) {
    }

    private ConfigLoader() {}

    /**
     * The effective configuration.
     *
     * @param file  the YAML file, or null for none
     * @param env   the environment variables
     * @param flags command-line values, in order (a later one for the same key wins)
     * @throws ConfigException listing every problem
     */
    public static EffectiveConfig load(Path file, Map<String, String> env, List<Flag> flags) throws ConfigException {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, RawValue> given = new HashMap<>();
        if (file != null) {
            YamlConfigFile.read(file, problems).forEach((key, raw) -> {
                if (ConfigKeys.find(key).isPresent()) {
                    given.put(key, raw);
                } else if (!(isSection(key) && raw.text() == null)) {
                    problems.add(unknown(key, raw.source()));
                }
            });
        }
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            String value = env.get(k.envName());
            if (value != null) {
                given.put(k.name(), new RawValue(value, ConfigSource.env(k.envName())));
            }
        }
        for (String variable : new TreeSet<>(env.keySet())) {
            String warning = envWarning(variable);
            if (warning != null) {
                warnings.add(warning);
            }
        }
        for (Flag f : flags) {
            ConfigSource source = ConfigSource.flag(f.flag());
            if (ConfigKeys.find(f.key()).isPresent()) {
                given.put(f.key(), new RawValue(f.text(), source));
            } else {
                problems.add(unknown(f.key(), source));
            }
        }

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, ConfigSource> sources = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            RawValue raw = given.get(k.name());
            if (raw == null) {
                values.put(k.name(), k.defaultValue());
                sources.put(k.name(), ConfigSource.DEFAULT);
                continue;
            }
            try {
                values.put(k.name(), k.type().parse(raw.text()));
                sources.put(k.name(), raw.source());
            } catch (IllegalArgumentException e) {
                problems.add(k.name() + " (" + raw.source() + "): " + e.getMessage());
            }
        }
        for (String p : ConfigKeys.crossCheck(values)) {
            String key = p.substring(0, p.indexOf(':'));
            problems.add(key + " (" + sources.get(key) + ")" + p.substring(key.length()));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        RecordDraft draft = RecordDraft.of(ServerSettings.DEFAULTS);
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            if (sources.get(k.name()) != ConfigSource.DEFAULT) {
                apply(k, draft, values.get(k.name()));
            }
        }
        ServerSettings settings;
        try {
            settings = (ServerSettings) draft.build();
        } catch (IllegalArgumentException e) {
            List<String> givenKeys = ConfigKeys.ALL.stream().map(ConfigKey::name)
                    .filter(n -> sources.get(n) != ConfigSource.DEFAULT).toList();
            throw new ConfigException(List.of(e.getMessage() + " (keys set: " + String.join(", ", givenKeys) + ")"));
        }
        return new EffectiveConfig(settings, values, sources, warnings);
    }

    private static <T> void apply(ConfigKey<T> key, RecordDraft draft, Object value) {
        key.apply(draft, key.type().javaType().cast(value));
    }

    private static boolean isSection(String name) {
        return ConfigKeys.ALL.stream().anyMatch(k -> k.name().startsWith(name + "."));
    }

    private static String unknown(String key, ConfigSource source) {
        String where = source.kind() == ConfigSource.Kind.FILE ? " in " + source : " (" + source + ")";
        if (isSection(key)) {
            return "\"" + key + "\"" + where + " is a section, not a value: set keys under it, such as \""
                    + ConfigKeys.ALL.stream().map(ConfigKey::name).filter(n -> n.startsWith(key + ".")).findFirst()
                    .orElseThrow() + "\"";
        }
        String closest = closest(key, ConfigKeys.ALL.stream().map(ConfigKey::name).toList());
        return "unknown key \"" + key + "\"" + where + (closest == null ? "" : " (did you mean \"" + closest + "\"?)");
    }

    /** A warning for a {@code RATATOSKR_} variable that looks like a key but is none; null otherwise. */
    static String envWarning(String variable) {
        if (!variable.startsWith(ConfigKey.ENV_PREFIX) || BY_ENV.containsKey(variable) || NOT_KEYS.contains(variable)) {
            return null;
        }
        String rest = variable.substring(ConfigKey.ENV_PREFIX.length());
        String first = rest.contains("_") ? rest.substring(0, rest.indexOf('_')) : rest;
        boolean knownSection = BY_ENV.keySet().stream().anyMatch(e -> e.startsWith(ConfigKey.ENV_PREFIX + first + "_"));
        String closest = closest(variable, BY_ENV.keySet());
        if (!knownSection && closest == null) {
            return null;
        }
        return "environment variable " + variable + " is not a configuration key and is ignored"
                + (closest == null ? "" : " (did you mean " + closest + "?)");
    }

    /** The candidate nearest to {@code name} by edit distance, if near enough to be a likely typo. */
    static String closest(String name, java.util.Collection<String> candidates) {
        int limit = Math.max(2, name.length() / 4);
        return candidates.stream().filter(c -> distance(name, c) <= limit)
                .min(Comparator.comparingInt((String c) -> distance(name, c)).thenComparing(c -> c)).orElse(null);
    }

    /** Edit distance counting insertions, deletions, substitutions and transpositions of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static Map<String, ConfigKey<?>> byEnv() {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        ConfigKeys.ALL.forEach(k -> m.put(k.envName(), k));
        return m;
    }
}
