package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/** Latency histograms of the load generator: nanoseconds, three significant digits, up to 100 s. */
public final class Histograms {
    public static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(100);

    private Histograms() {
    }

    public static Histogram create() {
        return new Histogram(MAX_NANOS, 3);
    }

    /** {@code nanos} within what the histograms record: a value beyond the range counts as the maximum. */
    public static long clamp(long nanos) {
        return nanos < 0 ? 0 : Math.min(nanos, MAX_NANOS);
    }
}
