package io.ratatoskr.core.durable;

import java.util.List;

/**
 * A durable topic as {@code describe} and {@code list} report it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name        the topic's name
 * @param config      its configuration
 * @param filters     the MQTT topic filters it captures (the default ones when the config names none)
 * @param generation  the definition's version: 1 at creation, one more at each change
 * @param createdAtMs when it was created, milliseconds since the epoch
 * @param partitions  the state of each partition, by number
 */
public record TopicInfo(String name, TopicConfig config, List<String> filters, long generation, long createdAtMs,
                        List<PartitionSnapshot> partitions) {

    public TopicInfo {
        filters = List.copyOf(filters);
        partitions = List.copyOf(partitions);
    }

    /** Messages kept in every partition (offsets, compaction gaps included). */
    public long messages() {
        return partitions.stream().mapToLong(PartitionSnapshot::messages).sum();
    }

    /** Bytes on disk in every partition. */
    public long sizeBytes() {
        return partitions.stream().mapToLong(PartitionSnapshot::sizeBytes).sum();
    }

    /** Whether every partition takes writes. */
    public boolean healthy() {
        return partitions.stream().allMatch(p -> p.state().equals("OPEN"));
    }
}
