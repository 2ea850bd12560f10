package io.ratatoskr.core.security;

import java.net.SocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides which refusal log lines are written, so that a flood of bad requests cannot flood the log:
 * per source ({@link SourceAddresses#key}) at most one line per interval. The first refusal of a
 * source is logged; further ones within the interval are suppressed and only counted, and the next
 * line written for that source says how many were suppressed. Metrics count every refusal, logged or
 * not — this class only gates the log. At most {@link #MAX_TRACKED} sources are tracked (least
 * recently seen forgotten first, which at worst lets a forgotten source log one line early).
 *
 * <p>Thread-safety: guarded by this object's monitor (short critical sections, no I/O).
 */
public final class ThrottledLog {
    public static final int MAX_TRACKED = 10_000;

    private static final class Window {
        long openedMs;
        long suppressed;
    }

    private final long intervalMs;
    private final Clock clock;
    private final Map<Object, Window> windows = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Window> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    /** @param intervalMs at most one line per source per this many milliseconds (must be positive) */
    public ThrottledLog(long intervalMs, Clock clock) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs must be positive, was " + intervalMs);
        }
        this.intervalMs = intervalMs;
        this.clock = clock;
    }

    /** One line per source every 10 seconds, on the system clock. */
    public static ThrottledLog everyTenSeconds() {
        return new ThrottledLog(10_000, Clock.systemUTC());
    }

    /**
     * Whether to log a refusal from {@code remote} now: -1 if not (it is counted as suppressed),
     * otherwise how many refusals of this source were suppressed since its last logged line (0 for
     * the first), to be written with the line.
     */
    public synchronized long admit(SocketAddress remote) {
        long now = clock.millis();
        Object key = SourceAddresses.key(remote);
        Window w = windows.get(key);
        if (w == null) {
            w = new Window();
            w.openedMs = now;
            windows.put(key, w);
            return 0;
        }
        if (now - w.openedMs < intervalMs) {
            w.suppressed++;
            return -1;
        }
        long suppressed = w.suppressed;
        w.openedMs = now;
        w.suppressed = 0;
        return suppressed;
    }

    synchronized int tracked() {
        return windows.size();
    }
}
