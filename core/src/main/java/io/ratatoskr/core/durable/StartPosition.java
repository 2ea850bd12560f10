package io.ratatoskr.core.durable;

/**
 * Where a cursor consumer, or a consumer group without a committed offset, starts reading.
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface StartPosition {

    /** The oldest message still kept. */
    record Earliest() implements StartPosition {}

    /** Only messages appended from now on. */
    record Latest() implements StartPosition {}

    /** A given offset (in every partition; clamped to what is kept). */
    record AtOffset(long offset) implements StartPosition {}

    /** The first message stored at or after a time (milliseconds since the epoch). */
    record AtTime(long timestampMs) implements StartPosition {}

    StartPosition EARLIEST = new Earliest();
    StartPosition LATEST = new Latest();

    /**
     * Parses {@code earliest}, {@code latest}, {@code offset:N} or {@code time:MILLIS} (also an
     * ISO-8601 instant after {@code time:}).
     *
     * @throws IllegalArgumentException when the text is none of these
     */
    static StartPosition parse(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("earliest")) {
            return EARLIEST;
        }
        if (t.equalsIgnoreCase("latest")) {
            return LATEST;
        }
        try {
            if (t.startsWith("offset:")) {
                long offset = Long.parseLong(t.substring(7));
                if (offset < 0) {
                    throw new IllegalArgumentException("negative offset in '" + text + "'");
                }
                return new AtOffset(offset);
            }
            if (t.startsWith("time:")) {
                String v = t.substring(5);
                long ms = v.chars().allMatch(Character::isDigit) ? Long.parseLong(v)
                        : java.time.Instant.parse(v).toEpochMilli();
                return new AtTime(ms);
            }
        } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("bad start position '" + text + "': " + e.getMessage());
        }
        throw new IllegalArgumentException(
                "bad start position '" + text + "': use earliest, latest, offset:N or time:<millis|ISO-8601>");
    }
}
