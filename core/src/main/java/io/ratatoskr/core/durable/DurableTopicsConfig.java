package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.log.LogConfig;
import java.util.Objects;

/**
 * How the durable-topic registry ({@link DurableTopics}) runs. Every field has a safe default
 * ({@link #DEFAULTS}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param log              the storage settings every partition log starts from; a topic's own
 *                         settings (durability, retention, cleanup, TTL) override their part
 * @param autoCreate       whether {@link DurableTopics#publish} to a missing topic creates it
 *                         (with {@code autoCreateConfig}) instead of refusing with
 *                         {@code TOPIC_NOT_FOUND}; MQTT capture never creates topics
 * @param autoCreateConfig the configuration of auto-created topics
 * @param maxTopics        durable topics at most
 * @param maxPartitions    partitions at most, over every topic: each partition's log owns two
 *                         threads and open files, so this bounds them
 * @param dedupeMaxKeys    idempotency keys remembered at most, over every topic (about 200 bytes
 *                         each plus the key, itself at most 256 bytes); past it the oldest keys
 *                         are forgotten early (counted); 0 turns deduplication off
 * @param failedPartitionRetryMs how often a partition that refuses writes after an I/O error (a
 *                         full disk) tries to take them again, on the environment's scheduler; 0:
 *                         never by itself ({@link DurableTopics#recoverFailedPartitions} only)
 */
public record DurableTopicsConfig(LogConfig log, boolean autoCreate, TopicConfig autoCreateConfig, int maxTopics,
                                  int maxPartitions, int dedupeMaxKeys, long failedPartitionRetryMs) {

    public static final DurableTopicsConfig DEFAULTS = new DurableTopicsConfig(LogConfig.defaults(), false,
            TopicConfig.DEFAULTS, 1_000, 4_096, 1_000_000, 5_000);

    public DurableTopicsConfig {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(autoCreateConfig, "autoCreateConfig");
        check(maxTopics >= 1, "maxTopics must be positive, was " + maxTopics);
        check(maxPartitions >= 1, "maxPartitions must be positive, was " + maxPartitions);
        check(dedupeMaxKeys >= 0, "dedupeMaxKeys must not be negative, was " + dedupeMaxKeys);
        check(failedPartitionRetryMs >= 0, "failedPartitionRetryMs must not be negative, was "
                + failedPartitionRetryMs);
    }

    public DurableTopicsConfig withLog(LogConfig v) {
        return new DurableTopicsConfig(v, autoCreate, autoCreateConfig, maxTopics, maxPartitions, dedupeMaxKeys,
                failedPartitionRetryMs);
    }

    public DurableTopicsConfig withAutoCreate(boolean v, TopicConfig config) {
        return new DurableTopicsConfig(log, v, config, maxTopics, maxPartitions, dedupeMaxKeys,
                failedPartitionRetryMs);
    }

    public DurableTopicsConfig withLimits(int topics, int partitions) {
        return new DurableTopicsConfig(log, autoCreate, autoCreateConfig, topics, partitions, dedupeMaxKeys,
                failedPartitionRetryMs);
    }

    public DurableTopicsConfig withDedupeMaxKeys(int v) {
        return new DurableTopicsConfig(log, autoCreate, autoCreateConfig, maxTopics, maxPartitions, v,
                failedPartitionRetryMs);
    }

    public DurableTopicsConfig withFailedPartitionRetryMs(long v) {
        return new DurableTopicsConfig(log, autoCreate, autoCreateConfig, maxTopics, maxPartitions, dedupeMaxKeys, v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw ErrorCode.INVALID_ARGUMENT.exception(message);
        }
    }
}
