package io.ratatoskr.server.logging;

import java.util.Objects;

/**
 * How the server logs: the line format on stdout and the level of the root logger.
 *
 * <p>Thread-safety: immutable.
 *
 * @param format text (one line per event, with {@code key="value"} pairs) or JSON (one object per line)
 * @param level  the least severe level that is written
 */
public record LogSettings(Format format, Level level) {
    public static final LogSettings DEFAULTS = new LogSettings(Format.TEXT, Level.INFO);

    public LogSettings {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(level, "level");
    }

    /** The line format. */
    public enum Format { TEXT, JSON }

    /** The levels an operator chooses from (SLF4J's). */
    public enum Level { TRACE, DEBUG, INFO, WARN, ERROR }
}
