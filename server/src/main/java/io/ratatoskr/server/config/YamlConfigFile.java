package io.ratatoskr.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a YAML configuration file into flat dotted keys, each with its text and line, so that errors
 * can point at the line. Nested mappings and dotted keys are equivalent ({@code mqtt: {port: 1}} is
 * {@code mqtt.port: 1}). Values are kept as text and typed later by {@link ValueType}.
 *
 * <p>Thread-safety: stateless.
 */
final class YamlConfigFile {
    private static final YAMLFactory YAML = new YAMLFactory();

    /** A value as written, and where. Null text is a YAML null. */
    record RawValue(String text, ConfigSource source) {
    }

    private YamlConfigFile() {}

    /** The keys of {@code file}, in file order; problems (malformed YAML, lists, duplicates) go to {@code problems}. */
    static Map<String, RawValue> read(Path file, List<String> problems) {
        Map<String, RawValue> values = new LinkedHashMap<>();
        String name = file.toString();
        try (JsonParser p = YAML.createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return values;
            }
            if (first != JsonToken.START_OBJECT) {
                problems.add(name + ": the file must be a mapping of keys to values (e.g. \"mqtt:\\n  port: 1883\")");
                return values;
            }
            readMapping(p, "", name, values, problems);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            problems.add(name + ": no such configuration file");
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            problems.add(ConfigSource.file(name, at == null ? 0 : at.getLineNr()) + ": malformed YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            problems.add(name + ": cannot read the configuration file: " + e.getMessage());
        }
        return values;
    }

    private static void readMapping(JsonParser p, String prefix, String file, Map<String, RawValue> values,
                                    List<String> problems) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix.isEmpty() ? p.currentName() : prefix + "." + p.currentName();
            JsonToken value = p.nextToken();
            ConfigSource source = ConfigSource.file(file, p.currentTokenLocation().getLineNr());
            switch (value) {
                case START_OBJECT -> readMapping(p, key, file, values, problems);
                case START_ARRAY -> {
                    problems.add(key + " (" + source + "): a list is not allowed here");
                    p.skipChildren();
                }
                default -> {
                    RawValue raw = new RawValue(value == JsonToken.VALUE_NULL ? null : p.getText(), source);
                    RawValue before = values.put(key, raw);
                    if (before != null) {
                        problems.add(key + " (" + source + "): given twice (also at " + before.source() + ")");
                    }
                }
            }
        }
    }
}
