package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.SpecChecks;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import static io.ratatoskr.bench.mqtt.SpecChecks.range;

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
        labels = Map.copyOf(labels);
        range(producers, 1, 10_000, "--producers");
        range(consumers, 0, 10_000, "--consumers");
        range(partitions, 1, 10_000, "--partitions");
        range(payloadBytes, PayloadHeader.BYTES, 16 * 1024 * 1024, "--payload");
        range(inflight, 1, 1_000_000, "--inflight");
        range(lingerMs, 0, 60_000, "--linger-ms");
        range(batchBytes, 1, 64 * 1024 * 1024, "--batch-bytes");
        SpecChecks.run(duration, warmup, preloadTimeout, drainTimeout, preload, producers, topicPrefix, brokerPid,
                clockTicks);
        if (preload > 0 && consumers == 0) {
            throw new IllegalArgumentException("--preload drains a backlog through the consumer group: give"
                    + " --consumers");
        }
        if (rate < 0 || Double.isNaN(rate) || rate > 0 && preload > 0) {
            throw new IllegalArgumentException("--rate must not be negative, and a drain (--preload) runs flat out");
        }
    }

    boolean drain() {
        return preload > 0;
    }
}
