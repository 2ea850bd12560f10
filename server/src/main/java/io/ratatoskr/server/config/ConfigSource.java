package io.ratatoskr.server.config;

/**
 * Where a configuration value came from, in the words errors and {@code --print-config} use:
 * {@code default}, {@code ratatoskr.yaml line 3}, {@code env RATATOSKR_MQTT_PORT}, {@code flag --mqtt-port}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param kind        which layer of the precedence (defaults &lt; file &lt; environment &lt; flags)
 * @param description the source for people
 */
public record ConfigSource(Kind kind, String description) {
    public static final ConfigSource DEFAULT = new ConfigSource(Kind.DEFAULT, "default");

    /** The layers, lowest precedence first. */
    public enum Kind { DEFAULT, FILE, ENV, FLAG }

    /** A value on {@code line} (1-based; 0 if unknown) of the file {@code path}, as the user named it. */
    static ConfigSource file(String path, int line) {
        return new ConfigSource(Kind.FILE, line > 0 ? path + " line " + line : path);
    }

    static ConfigSource env(String variable) {
        return new ConfigSource(Kind.ENV, "env " + variable);
    }

    static ConfigSource flag(String flag) {
        return new ConfigSource(Kind.FLAG, "flag " + flag);
    }

    @Override
    public String toString() {
        return description;
    }
}
