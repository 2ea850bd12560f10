package io.ratatoskr.server.config;

import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.logging.LogSettings;

import java.util.Objects;

/**
 * Everything {@code ratatoskr server} is configured with: the node ({@link ServerConfig}) and what
 * only the process needs (how long a stop may take, how it logs). The root of the records that the
 * keys of {@link ConfigKeys} set.
 *
 * <p>Thread-safety: immutable.
 *
 * @param server            the node
 * @param shutdownTimeoutMs on SIGTERM/SIGINT, how long the node may take to stop cleanly before it halts
 * @param log               the log format and level
 */
public record ServerSettings(ServerConfig server, long shutdownTimeoutMs, LogSettings log) {
    public static final ServerSettings DEFAULTS = new ServerSettings(ServerConfig.DEFAULTS, 10_000,
            LogSettings.DEFAULTS);

    public ServerSettings {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(log, "log");
        if (shutdownTimeoutMs <= 0) {
            throw new IllegalArgumentException("shutdownTimeoutMs must be positive, was " + shutdownTimeoutMs);
        }
    }
}
