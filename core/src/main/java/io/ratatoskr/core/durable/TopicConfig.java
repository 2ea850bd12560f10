package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import java.util.List;
import java.util.Objects;

/**
 * The configuration of a durable topic (PRODUCT.md, Concepts). Every field has a safe default;
 * {@link #builder()} starts from them.
 *
 * <p>Thread-safety: immutable.
 *
 * @param partitions            number of partitions, 1..1024; can grow, never shrink
 * @param filters               the MQTT topic filters whose messages the topic captures; empty means
 *                              the default: the topic's name and {@code name/#}
 * @param retentionMaxAgeMs     delete segments whose newest message is older; -1: no limit
 * @param retentionMaxBytes     keep at most about this many bytes per partition; -1: no limit
 * @param retentionMaxMessages  keep at most about this many messages per partition; -1: no limit
 * @param cleanupPolicy         delete old segments, compact by message key, or both
 * @param defaultTtlMs          messages older than this are not delivered; -1: none
 * @param maxMessageBytes       the largest payload accepted
 * @param durability            when a publish is acknowledged: after fsync, after a group fsync, or
 *                              after the write to the page cache
 * @param groupCommitMaxDelayMs how long a group commit may wait to gather appends
 * @param dedupeWindowMs        how long an idempotency key is remembered; 0: no deduplication
 */
public record TopicConfig(
        int partitions,
        List<String> filters,
        long retentionMaxAgeMs,
        long retentionMaxBytes,
        long retentionMaxMessages,
        CleanupPolicy cleanupPolicy,
        long defaultTtlMs,
        int maxMessageBytes,
        DurabilityMode durability,
        long groupCommitMaxDelayMs,
        long dedupeWindowMs) {

    public static final int MAX_PARTITIONS = 1024;
    public static final TopicConfig DEFAULTS = builder().build();

    public TopicConfig {
        for (String f : Objects.requireNonNull(filters, "filters")) {
            check(f != null, "a filter must not be null");
        }
        filters = List.copyOf(filters);
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        Objects.requireNonNull(durability, "durability");
        check(partitions >= 1 && partitions <= MAX_PARTITIONS, "partitions must be in 1..1024, was " + partitions);
        limit(retentionMaxAgeMs, "retentionMaxAgeMs");
        limit(retentionMaxBytes, "retentionMaxBytes");
        limit(retentionMaxMessages, "retentionMaxMessages");
        limit(defaultTtlMs, "defaultTtlMs");
        check(maxMessageBytes >= 1 && maxMessageBytes <= 64 * 1024 * 1024,
                "maxMessageBytes must be in 1..67108864, was " + maxMessageBytes);
        check(groupCommitMaxDelayMs >= 0 && groupCommitMaxDelayMs <= 1000,
                "groupCommitMaxDelayMs must be in 0..1000, was " + groupCommitMaxDelayMs);
        check(dedupeWindowMs >= 0, "dedupeWindowMs must not be negative, was " + dedupeWindowMs);
    }

    /** The filters the topic named {@code name} captures. */
    public List<String> effectiveFilters(String name) {
        return filters.isEmpty() ? List.of(name, name + "/#") : filters;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .partitions(partitions)
                .filters(filters)
                .retentionMaxAgeMs(retentionMaxAgeMs)
                .retentionMaxBytes(retentionMaxBytes)
                .retentionMaxMessages(retentionMaxMessages)
                .cleanupPolicy(cleanupPolicy)
                .defaultTtlMs(defaultTtlMs)
                .maxMessageBytes(maxMessageBytes)
                .durability(durability)
                .groupCommitMaxDelayMs(groupCommitMaxDelayMs)
                .dedupeWindowMs(dedupeWindowMs);
    }

    private static void limit(long value, String name) {
        check(value == -1 || value > 0, name + " must be positive or -1 (no limit), was " + value);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw ErrorCode.INVALID_TOPIC_CONFIG.exception(message);
        }
    }

    /** Builds a {@link TopicConfig}. Thread-safety: not thread-safe. */
    public static final class Builder {
        private int partitions = 1;
        private List<String> filters = List.of();
        private long retentionMaxAgeMs = 7L * 24 * 3600 * 1000;
        private long retentionMaxBytes = -1;
        private long retentionMaxMessages = -1;
        private CleanupPolicy cleanupPolicy = CleanupPolicy.DELETE;
        private long defaultTtlMs = -1;
        private int maxMessageBytes = 1024 * 1024;
        private DurabilityMode durability = DurabilityMode.FSYNC;
        private long groupCommitMaxDelayMs = 2;
        private long dedupeWindowMs = 120_000;

        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder filters(List<String> filters) {
            this.filters = filters;
            return this;
        }

        public Builder retentionMaxAgeMs(long retentionMaxAgeMs) {
            this.retentionMaxAgeMs = retentionMaxAgeMs;
            return this;
        }

        public Builder retentionMaxBytes(long retentionMaxBytes) {
            this.retentionMaxBytes = retentionMaxBytes;
            return this;
        }

        public Builder retentionMaxMessages(long retentionMaxMessages) {
            this.retentionMaxMessages = retentionMaxMessages;
            return this;
        }

        public Builder cleanupPolicy(CleanupPolicy cleanupPolicy) {
            this.cleanupPolicy = cleanupPolicy;
            return this;
        }

        public Builder defaultTtlMs(long defaultTtlMs) {
            this.defaultTtlMs = defaultTtlMs;
            return this;
        }

        public Builder maxMessageBytes(int maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        public Builder durability(DurabilityMode durability) {
            this.durability = durability;
            return this;
        }

        public Builder groupCommitMaxDelayMs(long groupCommitMaxDelayMs) {
            this.groupCommitMaxDelayMs = groupCommitMaxDelayMs;
            return this;
        }

        public Builder dedupeWindowMs(long dedupeWindowMs) {
            this.dedupeWindowMs = dedupeWindowMs;
            return this;
        }

        public TopicConfig build() {
            return new TopicConfig(partitions, filters, retentionMaxAgeMs, retentionMaxBytes, retentionMaxMessages,
                    cleanupPolicy, defaultTtlMs, maxMessageBytes, durability, groupCommitMaxDelayMs, dedupeWindowMs);
        }
    }
}
