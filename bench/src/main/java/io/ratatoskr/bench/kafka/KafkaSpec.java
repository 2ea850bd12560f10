package io.ratatoskr.bench.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one run of the Kafka load generator needs. Immutable; validated on construction.
 *
 * @param bootstrap      {@code host:port} of the broker
 * @param producers      producers, each with its own connection
 * @param consumers      members of the run's consumer group; 0 for a publish-only run
 * @param partitions     partitions of the topic created for the run
 * @param fsync          whether the topic gets {@code flush.messages=1} (an fsync per append); else Kafka's
 *                       default (no fsync: the page cache)
 * @param payloadBytes   value size of every record
 * @param duration       measurement window (a drain run's longest)
 * @param warmup         producing before the window, not measured (live and publish-only runs)
 * @param inflight       unacknowledged records per producer, at most (closed loop)
 * @param rate           records/s over all producers, paced, each stamped with its due time; 0: closed loop,
 *                       flat out
 * @param preload        records to produce before the consumers start (a drain run); 0 for a live run
 * @param preloadTimeout how long the preload may take
 * @param drainTimeout   after the window, how long to wait for records still on their way
 * @param lingerMs       producer {@code linger.ms}
 * @param batchBytes     producer {@code batch.size}
 * @param brokerPid      broker process whose CPU time to measure, or 0
 * @param clockTicks     the kernel's clock ticks per second
 * @param topicPrefix    the run's topic is {@code <prefix>-<run id>}
 * @param labels         copied into the result
 */
public record KafkaSpec(String bootstrap, int producers, int consumers, int partitions, boolean fsync,
                        int payloadBytes, Duration duration, Duration warmup, int inflight, double rate, long preload,
                        Duration preloadTimeout, Duration drainTimeout, int lingerMs, int batchBytes, long brokerPid,
                        int clockTicks, String topicPrefix, Map<String, String> labels) {

    public KafkaSpec {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(preloadTimeout, "preloadTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        labels = Map.copyOf(labels);
        check(producers, 1, 10_000, "--producers");
        check(consumers, 0, 10_000, "--consumers");
        check(partitions, 1, 10_000, "--partitions");
        check(payloadBytes, io.ratatoskr.bench.mqtt.PayloadHeader.BYTES, 16 * 1024 * 1024, "--payload");
        check(inflight, 1, 1_000_000, "--inflight");
        check(lingerMs, 0, 60_000, "--linger-ms");
        check(batchBytes, 1, 64 * 1024 * 1024, "--batch-bytes");
        check(clockTicks, 1, 1_000_000, "--clock-ticks");
        if (duration.isNegative() || duration.isZero() || warmup.isNegative() || drainTimeout.isNegative()
                || preloadTimeout.isNegative() || preloadTimeout.isZero()) {
            throw new IllegalArgumentException("--duration and --preload-timeout must be positive, --warmup and"
                    + " --drain-timeout not negative");
        }
        if (preload < 0 || preload / producers >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--preload must be within 0.." + (long) Integer.MAX_VALUE * producers
                    + ", got " + preload);
        }
        if (preload > 0 && consumers == 0) {
            throw new IllegalArgumentException("--preload drains a backlog through the consumer group: give"
                    + " --consumers");
        }
        if (!topicPrefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--topic-prefix must be letters, digits, '.', '_' and '-'");
        }
        if (brokerPid < 0) {
            throw new IllegalArgumentException("--broker-pid must not be negative");
        }
        if (rate < 0 || Double.isNaN(rate) || rate > 0 && preload > 0) {
            throw new IllegalArgumentException("--rate must not be negative, and a drain (--preload) runs flat out");
        }
    }

    private static void check(long value, long min, long max, String option) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be within " + min + ".." + max + ", got " + value);
        }
    }

    boolean drain() {
        return preload > 0;
    }
}
