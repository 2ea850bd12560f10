package io.ratatoskr.client;

import io.ratatoskr.api.v1.TopicConfig;
import java.time.Duration;
import java.util.List;

/**
 * A durable topic's configuration. For {@link TopicAdmin#createTopic(String, TopicSettings)} a null
 * field takes the broker's default; in a {@link TopicInfo} every field is set. Start from
 * {@link #DEFAULTS} and change fields with the {@code with...} methods.
 *
 * <p>Thread-safety: immutable.
 *
 * @param partitions           number of partitions, 1..1024 (default 1)
 * @param filters              the MQTT topic filters it captures; empty: its name and {@code name/#}
 * @param retentionMaxAge      delete messages older than this; a negative duration: no age limit
 * @param retentionMaxBytes    keep at most about this many bytes per partition; -1: no limit
 * @param retentionMaxMessages keep at most about this many messages per partition; -1: no limit
 * @param cleanupPolicy        delete old segments, compact by key, or both
 * @param defaultTtl           messages older than this are not delivered; a negative duration: none
 * @param maxMessageBytes      the largest payload accepted
 * @param durability           when a publish is acknowledged: after fsync, group fsync, or the OS write
 * @param dedupeWindow         how long idempotency keys are remembered; zero: no deduplication
 */
public record TopicSettings(Integer partitions, List<String> filters, Duration retentionMaxAge,
        Long retentionMaxBytes, Long retentionMaxMessages, CleanupPolicy cleanupPolicy, Duration defaultTtl,
        Integer maxMessageBytes, Durability durability, Duration dedupeWindow) {

    /** Every field left to the broker's default. */
    public static final TopicSettings DEFAULTS = new TopicSettings(null, List.of(), null, null, null, null, null,
            null, null, null);

    /** Copies the filter list. */
    public TopicSettings {
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    /** How old messages are removed. */
    public enum CleanupPolicy {
        /** Delete whole segments past the retention limits. */
        DELETE,
        /** Keep only the latest message per key. */
        COMPACT,
        /** Compact, and also delete past the retention limits. */
        COMPACT_DELETE
    }

    /** When a publish is acknowledged. */
    public enum Durability {
        /** After the write is fsync'd. */
        FSYNC,
        /** After a group fsync shared with other writes. */
        GROUP,
        /** After the write reaches the operating system (lost on power failure). */
        ASYNC
    }

    /** With {@code n} partitions. */
    public TopicSettings withPartitions(int n) {
        return new TopicSettings(n, filters, retentionMaxAge, retentionMaxBytes, retentionMaxMessages, cleanupPolicy,
                defaultTtl, maxMessageBytes, durability, dedupeWindow);
    }

    /** Capturing {@code f} instead of the default filters. */
    public TopicSettings withFilters(List<String> f) {
        return new TopicSettings(partitions, f, retentionMaxAge, retentionMaxBytes, retentionMaxMessages,
                cleanupPolicy, defaultTtl, maxMessageBytes, durability, dedupeWindow);
    }

    /** Deleting messages older than {@code age}. */
    public TopicSettings withRetentionMaxAge(Duration age) {
        return new TopicSettings(partitions, filters, age, retentionMaxBytes, retentionMaxMessages, cleanupPolicy,
                defaultTtl, maxMessageBytes, durability, dedupeWindow);
    }

    /** Keeping about {@code bytes} per partition. */
    public TopicSettings withRetentionMaxBytes(long bytes) {
        return new TopicSettings(partitions, filters, retentionMaxAge, bytes, retentionMaxMessages, cleanupPolicy,
                defaultTtl, maxMessageBytes, durability, dedupeWindow);
    }

    /** Keeping about {@code messages} per partition. */
    public TopicSettings withRetentionMaxMessages(long messages) {
        return new TopicSettings(partitions, filters, retentionMaxAge, retentionMaxBytes, messages, cleanupPolicy,
                defaultTtl, maxMessageBytes, durability, dedupeWindow);
    }

    /** With cleanup policy {@code p}. */
    public TopicSettings withCleanupPolicy(CleanupPolicy p) {
        return new TopicSettings(partitions, filters, retentionMaxAge, retentionMaxBytes, retentionMaxMessages, p,
                defaultTtl, maxMessageBytes, durability, dedupeWindow);
    }

    /** Not delivering messages older than {@code ttl}. */
    public TopicSettings withDefaultTtl(Duration ttl) {
        return new TopicSettings(partitions, filters, retentionMaxAge, retentionMaxBytes, retentionMaxMessages,
                cleanupPolicy, ttl, maxMessageBytes, durability, dedupeWindow);
    }

    /** Refusing payloads above {@code bytes}. */
    public TopicSettings withMaxMessageBytes(int bytes) {
        return new TopicSettings(partitions, filters, retentionMaxAge, retentionMaxBytes, retentionMaxMessages,
                cleanupPolicy, defaultTtl, bytes, durability, dedupeWindow);
    }

    /** With durability {@code d}. */
    public TopicSettings withDurability(Durability d) {
        return new TopicSettings(partitions, filters, retentionMaxAge, retentionMaxBytes, retentionMaxMessages,
                cleanupPolicy, defaultTtl, maxMessageBytes, d, dedupeWindow);
    }

    /** Remembering idempotency keys for {@code window}. */
    public TopicSettings withDedupeWindow(Duration window) {
        return new TopicSettings(partitions, filters, retentionMaxAge, retentionMaxBytes, retentionMaxMessages,
                cleanupPolicy, defaultTtl, maxMessageBytes, durability, window);
    }

    TopicConfig toProto() {
        TopicConfig.Builder b = TopicConfig.newBuilder().addAllFilters(filters);
        if (partitions != null) {
            b.setPartitions(partitions);
        }
        if (retentionMaxAge != null) {
            b.setRetentionMaxAgeMs(millisOrNone(retentionMaxAge));
        }
        if (retentionMaxBytes != null) {
            b.setRetentionMaxBytes(retentionMaxBytes);
        }
        if (retentionMaxMessages != null) {
            b.setRetentionMaxMessages(retentionMaxMessages);
        }
        if (cleanupPolicy != null) {
            b.setCleanupPolicy(io.ratatoskr.api.v1.CleanupPolicy.valueOf("CLEANUP_POLICY_" + cleanupPolicy.name()));
        }
        if (defaultTtl != null) {
            b.setDefaultTtlMs(millisOrNone(defaultTtl));
        }
        if (maxMessageBytes != null) {
            b.setMaxMessageBytes(maxMessageBytes);
        }
        if (durability != null) {
            b.setDurability(io.ratatoskr.api.v1.Durability.valueOf("DURABILITY_" + durability.name()));
        }
        if (dedupeWindow != null) {
            b.setDedupeWindowMs(dedupeWindow.toMillis());
        }
        return b.build();
    }

    static TopicSettings from(TopicConfig c) {
        return new TopicSettings(c.hasPartitions() ? c.getPartitions() : null, c.getFiltersList(),
                c.hasRetentionMaxAgeMs() ? Duration.ofMillis(c.getRetentionMaxAgeMs()) : null,
                c.hasRetentionMaxBytes() ? c.getRetentionMaxBytes() : null,
                c.hasRetentionMaxMessages() ? c.getRetentionMaxMessages() : null,
                switch (c.getCleanupPolicy()) {
                    case CLEANUP_POLICY_DELETE -> CleanupPolicy.DELETE;
                    case CLEANUP_POLICY_COMPACT -> CleanupPolicy.COMPACT;
                    case CLEANUP_POLICY_COMPACT_DELETE -> CleanupPolicy.COMPACT_DELETE;
                    default -> null;
                },
                c.hasDefaultTtlMs() ? Duration.ofMillis(c.getDefaultTtlMs()) : null,
                c.hasMaxMessageBytes() ? c.getMaxMessageBytes() : null,
                switch (c.getDurability()) {
                    case DURABILITY_FSYNC -> Durability.FSYNC;
                    case DURABILITY_GROUP -> Durability.GROUP;
                    case DURABILITY_ASYNC -> Durability.ASYNC;
                    default -> null;
                },
                c.hasDedupeWindowMs() ? Duration.ofMillis(c.getDedupeWindowMs()) : null);
    }

    private static long millisOrNone(Duration d) {
        return d.isNegative() ? -1 : d.toMillis();
    }
}
