package io.ratatoskr.bench.mqtt;

import java.util.concurrent.locks.LockSupport;

/**
 * When a run's publishers start, and the window in which it measures, in {@link System#nanoTime()} of the
 * generating process. Messages sent before {@link #measureStartNanos} are warm-up: delivered and checked
 * for loss, but neither counted in rates nor in latency.
 *
 * <p>Immutable.
 */
public record Timeline(long startNanos, long measureStartNanos, long measureEndNanos) {

    public Timeline {
        if (measureStartNanos - startNanos < 0 || measureEndNanos - measureStartNanos <= 0) {
            throw new IllegalArgumentException("need start <= measure start < measure end");
        }
    }

    public static Timeline startingAt(long startNanos, long warmupNanos, long durationNanos) {
        return new Timeline(startNanos, startNanos + warmupNanos, startNanos + warmupNanos + durationNanos);
    }

    /** Whether {@code nanos} falls in the measurement window. */
    public boolean measures(long nanos) {
        return nanos - measureStartNanos >= 0 && nanos - measureEndNanos < 0;
    }

    public double measuredSeconds() {
        return (measureEndNanos - measureStartNanos) / 1e9;
    }

    /** Parks the calling thread until {@link System#nanoTime()} reaches {@code deadlineNanos}. */
    public static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
