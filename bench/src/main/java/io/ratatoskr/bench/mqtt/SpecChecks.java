package io.ratatoskr.bench.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * Validation shared by the load generators' specs: each failure is an {@link IllegalArgumentException} naming the
 * command-line option, which the tools report with exit status 2.
 *
 * <p>Stateless and thread-safe.
 */
public final class SpecChecks {
    private SpecChecks() {
    }

    /** {@code value} within {@code min..max}. */
    public static void range(long value, long min, long max, String option) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be within " + min + ".." + max + ", got " + value);
        }
    }

    /**
     * The common options of a durable-topic run ({@link RunOptions}): a positive window and preload timeout, a
     * warm-up and drain timeout not negative, a preload that fits the publishers' sequence numbers, a topic prefix
     * that is a legal topic name, a broker pid not negative.
     */
    public static void run(Duration duration, Duration warmup, Duration preloadTimeout, Duration drainTimeout,
                           long preload, int publishers, String topicPrefix, long brokerPid, int clockTicks) {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(preloadTimeout, "preloadTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        range(clockTicks, 1, 1_000_000, "--clock-ticks");
        if (duration.isNegative() || duration.isZero() || warmup.isNegative() || drainTimeout.isNegative()
                || preloadTimeout.isNegative() || preloadTimeout.isZero()) {
            throw new IllegalArgumentException("--duration and --preload-timeout must be positive, --warmup and"
                    + " --drain-timeout not negative");
        }
        if (preload < 0 || preload / publishers >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--preload must be within 0.." + (long) Integer.MAX_VALUE * publishers
                    + ", got " + preload);
        }
        if (!topicPrefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--topic-prefix must be letters, digits, '.', '_' and '-'");
        }
        if (brokerPid < 0) {
            throw new IllegalArgumentException("--broker-pid must not be negative");
        }
    }
}
