package io.ratatoskr.client;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a brand-new consumer group starts reading (ignored once the group has committed offsets).
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface StartPosition
        permits StartPosition.Earliest, StartPosition.Latest, StartPosition.AtOffset, StartPosition.AtTime {

    /** The oldest message still kept (the broker's default). */
    static StartPosition earliest() {
        return new Earliest();
    }

    /** Only messages published from now on. */
    static StartPosition latest() {
        return new Latest();
    }

    /** This offset in every partition (clamped to what is kept). */
    static StartPosition offset(long offset) {
        return new AtOffset(offset);
    }

    /** The first message stored at or after {@code time}. */
    static StartPosition time(Instant time) {
        return new AtTime(Objects.requireNonNull(time, "time"));
    }

    /** The oldest message kept. */
    record Earliest() implements StartPosition {
    }

    /** Messages from now on. */
    record Latest() implements StartPosition {
    }

    /** @param offset the offset in every partition */
    record AtOffset(long offset) implements StartPosition {
    }

    /** @param time the first message stored at or after this time */
    record AtTime(Instant time) implements StartPosition {
    }
}
