package io.ratatoskr.http.api;

import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import java.util.List;
import java.util.Locale;

/**
 * The topic settings of an admin API call: every field optional. On create, absent fields take the
 * defaults; on update (PATCH), absent fields keep their current value.
 *
 * <p>Thread-safety: immutable.
 */
public record TopicConfigPatch(
        String name,
        Integer partitions,
        List<String> filters,
        Long retentionMaxAgeMs,
        Long retentionMaxBytes,
        Long retentionMaxMessages,
        String cleanupPolicy,
        Long defaultTtlMs,
        Integer maxMessageBytes,
        String durability,
        Long groupCommitMaxDelayMs,
        Long dedupeWindowMs) {

    /** {@code base} with the fields this patch sets. */
    public TopicConfig applyTo(TopicConfig base) {
        TopicConfig.Builder b = base.toBuilder();
        if (partitions != null) {
            b.partitions(partitions);
        }
        if (filters != null) {
            b.filters(filters);
        }
        if (retentionMaxAgeMs != null) {
            b.retentionMaxAgeMs(retentionMaxAgeMs);
        }
        if (retentionMaxBytes != null) {
            b.retentionMaxBytes(retentionMaxBytes);
        }
        if (retentionMaxMessages != null) {
            b.retentionMaxMessages(retentionMaxMessages);
        }
        if (cleanupPolicy != null) {
            b.cleanupPolicy(cleanupPolicy(cleanupPolicy));
        }
        if (defaultTtlMs != null) {
            b.defaultTtlMs(defaultTtlMs);
        }
        if (maxMessageBytes != null) {
            b.maxMessageBytes(maxMessageBytes);
        }
        if (durability != null) {
            b.durability(durability(durability));
        }
        if (groupCommitMaxDelayMs != null) {
            b.groupCommitMaxDelayMs(groupCommitMaxDelayMs);
        }
        if (dedupeWindowMs != null) {
            b.dedupeWindowMs(dedupeWindowMs);
        }
        return b.build();
    }

    static CleanupPolicy cleanupPolicy(String text) {
        return switch (text.toLowerCase(Locale.ROOT).replace('-', '_').replace(',', '_')) {
            case "delete" -> CleanupPolicy.DELETE;
            case "compact" -> CleanupPolicy.COMPACT;
            case "compact_delete", "delete_compact" -> CleanupPolicy.COMPACT_DELETE;
            default -> throw ErrorCode.INVALID_TOPIC_CONFIG.exception(
                    "cleanupPolicy must be delete, compact or compact,delete; was '" + text + "'");
        };
    }

    static DurabilityMode durability(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "fsync" -> DurabilityMode.FSYNC;
            case "group" -> DurabilityMode.GROUP;
            case "async" -> DurabilityMode.ASYNC;
            default -> throw ErrorCode.INVALID_TOPIC_CONFIG.exception(
                    "durability must be fsync, group or async; was '" + text + "'");
        };
    }

    /** How a policy is written in JSON and on the command line. */
    public static String name(CleanupPolicy p) {
        return p == CleanupPolicy.COMPACT_DELETE ? "compact,delete" : p.name().toLowerCase(Locale.ROOT);
    }
}
