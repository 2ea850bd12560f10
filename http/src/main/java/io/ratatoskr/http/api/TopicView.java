package io.ratatoskr.http.api;

import io.ratatoskr.core.durable.PartitionSnapshot;
import io.ratatoskr.core.durable.TopicConfig;
import java.util.List;
import java.util.Locale;

/**
 * A durable topic as the admin API shows it: its settings, the filters it captures, and each
 * partition's offsets, size and state.
 *
 * <p>Thread-safety: immutable.
 */
public record TopicView(String name, Config config, List<String> filters, long messages, long sizeBytes,
                        List<PartitionView> partitions) {

    /** The settings, with enum values as the CLI writes them. */
    public record Config(int partitions, List<String> filters, long retentionMaxAgeMs, long retentionMaxBytes,
                         long retentionMaxMessages, String cleanupPolicy, long defaultTtlMs, int maxMessageBytes,
                         String durability, long groupCommitMaxDelayMs, long dedupeWindowMs) {
        static Config of(TopicConfig c) {
            return new Config(c.partitions(), c.filters(), c.retentionMaxAgeMs(), c.retentionMaxBytes(),
                    c.retentionMaxMessages(), TopicConfigPatch.name(c.cleanupPolicy()), c.defaultTtlMs(),
                    c.maxMessageBytes(), c.durability().name().toLowerCase(Locale.ROOT), c.groupCommitMaxDelayMs(),
                    c.dedupeWindowMs());
        }
    }

    /** One partition. */
    public record PartitionView(int partition, long startOffset, long endOffset, long messages, long sizeBytes,
                                int segments, String state, String failure) {
        static PartitionView of(PartitionSnapshot s) {
            return new PartitionView(s.partition(), s.startOffset(), s.endOffset(), s.messages(), s.sizeBytes(),
                    s.segments(), s.state(), s.failure());
        }
    }

    public static TopicView of(String name, TopicConfig config, List<PartitionSnapshot> partitions) {
        List<PartitionView> views = partitions.stream().map(PartitionView::of).toList();
        long messages = views.stream().mapToLong(PartitionView::messages).sum();
        long bytes = views.stream().mapToLong(PartitionView::sizeBytes).sum();
        return new TopicView(name, Config.of(config), config.effectiveFilters(name), messages, bytes, views);
    }
}
