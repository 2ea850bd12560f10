package io.ratatoskr.server.config;

import java.util.List;

/**
 * The configuration cannot be used: every problem found, each naming the key, where its value came from,
 * the value and what is allowed. {@code ratatoskr server} prints them all and exits with code 2.
 *
 * <p>Thread-safety: immutable.
 */
public final class ConfigException extends Exception {
    private final List<String> problems;

    ConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line each, e.g. {@code mqtt.port (ratatoskr.yaml line 3): "abc" is not an integer in 0..65535}. */
    public List<String> problems() {
        return problems;
    }
}
