package io.ratatoskr.grpc;

import io.ratatoskr.api.v1.CleanupPolicy;
import io.ratatoskr.api.v1.Durability;
import io.ratatoskr.api.v1.PartitionInfo;
import io.ratatoskr.api.v1.Topic;
import io.ratatoskr.core.durable.PartitionSnapshot;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.TopicInfo;
import io.ratatoskr.log.DurabilityMode;
import java.util.List;

/**
 * Converts durable-topic configurations and descriptions between the API and the core. An unset
 * optional field (and an UNSPECIFIED enum) takes the value of the base configuration: the broker's
 * defaults on create, the topic's current settings on update. The core validates the result
 * (INVALID_TOPIC_CONFIG, status INVALID_ARGUMENT).
 *
 * <p>Thread-safety: stateless.
 */
final class TopicMapping {
    private TopicMapping() {
    }

    /** {@code base} with the fields {@code p} sets; {@code resetFilters} goes back to the default filters. */
    static TopicConfig merge(TopicConfig base, io.ratatoskr.api.v1.TopicConfig p, boolean resetFilters) {
        TopicConfig.Builder b = base.toBuilder();
        if (p.hasPartitions()) {
            b.partitions(p.getPartitions());
        }
        if (resetFilters) {
            b.filters(List.of());
        } else if (p.getFiltersCount() > 0) {
            b.filters(List.copyOf(p.getFiltersList()));
        }
        if (p.hasRetentionMaxAgeMs()) {
            b.retentionMaxAgeMs(p.getRetentionMaxAgeMs());
        }
        if (p.hasRetentionMaxBytes()) {
            b.retentionMaxBytes(p.getRetentionMaxBytes());
        }
        if (p.hasRetentionMaxMessages()) {
            b.retentionMaxMessages(p.getRetentionMaxMessages());
        }
        switch (p.getCleanupPolicy()) {
            case CLEANUP_POLICY_DELETE -> b.cleanupPolicy(io.ratatoskr.log.CleanupPolicy.DELETE);
            case CLEANUP_POLICY_COMPACT -> b.cleanupPolicy(io.ratatoskr.log.CleanupPolicy.COMPACT);
            case CLEANUP_POLICY_COMPACT_DELETE -> b.cleanupPolicy(io.ratatoskr.log.CleanupPolicy.COMPACT_DELETE);
            case CLEANUP_POLICY_UNSPECIFIED -> { }
            default -> throw new IllegalArgumentException("unknown cleanup_policy " + p.getCleanupPolicyValue());
        }
        if (p.hasDefaultTtlMs()) {
            b.defaultTtlMs(p.getDefaultTtlMs());
        }
        if (p.hasMaxMessageBytes()) {
            b.maxMessageBytes(p.getMaxMessageBytes());
        }
        switch (p.getDurability()) {
            case DURABILITY_FSYNC -> b.durability(DurabilityMode.FSYNC);
            case DURABILITY_GROUP -> b.durability(DurabilityMode.GROUP);
            case DURABILITY_ASYNC -> b.durability(DurabilityMode.ASYNC);
            case DURABILITY_UNSPECIFIED -> { }
            default -> throw new IllegalArgumentException("unknown durability " + p.getDurabilityValue());
        }
        if (p.hasGroupCommitMaxDelayMs()) {
            b.groupCommitMaxDelayMs(p.getGroupCommitMaxDelayMs());
        }
        if (p.hasDedupeWindowMs()) {
            b.dedupeWindowMs(p.getDedupeWindowMs());
        }
        return b.build();
    }

    /** {@code c} with every field set. */
    static io.ratatoskr.api.v1.TopicConfig toProto(TopicConfig c) {
        return io.ratatoskr.api.v1.TopicConfig.newBuilder()
                .setPartitions(c.partitions())
                .addAllFilters(c.filters())
                .setRetentionMaxAgeMs(c.retentionMaxAgeMs())
                .setRetentionMaxBytes(c.retentionMaxBytes())
                .setRetentionMaxMessages(c.retentionMaxMessages())
                .setCleanupPolicy(switch (c.cleanupPolicy()) {
                    case DELETE -> CleanupPolicy.CLEANUP_POLICY_DELETE;
                    case COMPACT -> CleanupPolicy.CLEANUP_POLICY_COMPACT;
                    case COMPACT_DELETE -> CleanupPolicy.CLEANUP_POLICY_COMPACT_DELETE;
                })
                .setDefaultTtlMs(c.defaultTtlMs())
                .setMaxMessageBytes(c.maxMessageBytes())
                .setDurability(switch (c.durability()) {
                    case FSYNC -> Durability.DURABILITY_FSYNC;
                    case GROUP -> Durability.DURABILITY_GROUP;
                    case ASYNC -> Durability.DURABILITY_ASYNC;
                })
                .setGroupCommitMaxDelayMs(c.groupCommitMaxDelayMs())
                .setDedupeWindowMs(c.dedupeWindowMs())
                .build();
    }

    static Topic toProto(TopicInfo t) {
        Topic.Builder b = Topic.newBuilder()
                .setName(t.name())
                .setConfig(toProto(t.config()))
                .addAllEffectiveFilters(t.filters())
                .setGeneration(t.generation())
                .setCreatedAtMs(t.createdAtMs());
        for (PartitionSnapshot p : t.partitions()) {
            b.addPartitions(toProto(p));
        }
        return b.build();
    }

    static PartitionInfo toProto(PartitionSnapshot p) {
        return PartitionInfo.newBuilder()
                .setPartition(p.partition())
                .setStartOffset(p.startOffset())
                .setEndOffset(p.endOffset())
                .setMessages(p.messages())
                .setSizeBytes(p.sizeBytes())
                .setState(p.state())
                .build();
    }
}
