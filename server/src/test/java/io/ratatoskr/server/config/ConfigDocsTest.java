package io.ratatoskr.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code docs/configuration.md} and {@code ratatoskr.example.yaml} describe exactly the keys of
 * {@link ConfigKeys}, with their real defaults. A failure prints the lines to paste.
 */
class ConfigDocsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\| `([^`]*)` \\| .+\\|$");
    private static final Pattern COMMENTED_KEY = Pattern.compile("^(\\s*)# ([a-z0-9-]+): (.*)$");

    /** The reference row of a key, as {@code docs/configuration.md} has it. */
    static String row(ConfigKey<?> k) {
        return "| `" + k.name() + "` | " + k.type().summary() + " | `" + k.documentedDefault() + "` | "
                + k.description() + " |";
    }

    @Test
    void theReferenceListsEveryKeyWithItsTypeAndRealDefaultAndNothingElse() throws Exception {
        Map<String, String[]> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/configuration.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                documented.put(m.group(1), new String[] {m.group(2).trim(), m.group(3)});
            }
        }
        String missing = ConfigKeys.ALL.stream().filter(k -> !documented.containsKey(k.name()))
                .map(ConfigDocsTest::row).collect(Collectors.joining("\n"));
        assertThat(missing).as("rows missing from docs/configuration.md").isEmpty();
        assertThat(documented.keySet()).as("documented keys that do not exist")
                .allMatch(name -> ConfigKeys.find(name).isPresent());
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            assertThat(documented.get(k.name())).as("type and default of %s; the row is:\n%s", k, row(k))
                    .containsExactly(k.type().summary(), k.documentedDefault());
        }
    }

    @Test
    void theExampleFileLoadsToTheDefaultsAsShippedAndWithEveryKeyUncommented() throws Exception {
        Path example = ROOT.resolve("ratatoskr.example.yaml");
        assertThat(ConfigLoader.load(example, Map.of(), List.of()).settings()).isEqualTo(ServerSettings.DEFAULTS);

        String uncommented = Files.readAllLines(example).stream().map(line -> {
            Matcher m = COMMENTED_KEY.matcher(line);
            return m.matches() && !m.group(3).startsWith("(") ? m.group(1) + m.group(2) + ": " + m.group(3) : line;
        }).collect(Collectors.joining("\n"));
        Path all = Files.writeString(Files.createTempFile("ratatoskr-example", ".yaml"), uncommented);
        try {
            EffectiveConfig c = ConfigLoader.load(all, Map.of(), List.of());
            assertThat(c.settings()).as("every documented default is the real one").isEqualTo(ServerSettings.DEFAULTS);
            String missing = ConfigKeys.ALL.stream()
                    .filter(k -> !k.machineDependentDefault() && c.sources().get(k.name()) == ConfigSource.DEFAULT)
                    .map(k -> "# " + k.name() + ": " + k.documentedDefault()).collect(Collectors.joining("\n"));
            assertThat(missing).as("keys missing from ratatoskr.example.yaml").isEmpty();
        } finally {
            Files.delete(all);
        }
    }
}
