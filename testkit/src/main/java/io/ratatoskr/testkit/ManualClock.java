package io.ratatoskr.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when a test tells it to.
 *
 * <p>Thread-safety: thread-safe; the time is one atomic value.
 */
public final class ManualClock extends Clock {

    private final AtomicLong millis;

    /** A clock standing at {@code startMillis} since the epoch. */
    public ManualClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    /** Moves the clock forward. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + duration);
        }
        millis.addAndGet(duration.toMillis());
    }

    /** Moves the clock forward by {@code deltaMs} milliseconds. */
    public void advanceMs(long deltaMs) {
        advance(Duration.ofMillis(deltaMs));
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("ManualClock is always UTC");
    }
}
