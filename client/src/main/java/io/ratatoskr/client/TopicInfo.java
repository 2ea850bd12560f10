package io.ratatoskr.client;

import io.ratatoskr.api.v1.Topic;
import java.util.List;

/**
 * A durable topic as the broker describes it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name             its name
 * @param settings         its configuration, every field set
 * @param effectiveFilters the MQTT filters it captures (the defaults spelled out)
 * @param generation       1 at creation, one more at each configuration change
 * @param createdAtMs      when it was created, ms since the epoch
 * @param partitions       its partitions
 */
public record TopicInfo(String name, TopicSettings settings, List<String> effectiveFilters, long generation,
        long createdAtMs, List<Partition> partitions) {

    /** Copies the lists. */
    public TopicInfo {
        effectiveFilters = List.copyOf(effectiveFilters);
        partitions = List.copyOf(partitions);
    }

    /**
     * One partition.
     *
     * @param partition   its number, from 0
     * @param startOffset the offset of the oldest message kept
     * @param endOffset   the offset the next message will get
     * @param messages    messages kept
     * @param sizeBytes   bytes on disk
     * @param state       OPEN, or FAILED after an I/O error or a full disk
     */
    public record Partition(int partition, long startOffset, long endOffset, long messages, long sizeBytes,
            String state) {
        static Partition from(io.ratatoskr.api.v1.PartitionInfo p) {
            return new Partition(p.getPartition(), p.getStartOffset(), p.getEndOffset(), p.getMessages(),
                    p.getSizeBytes(), p.getState());
        }
    }

    static TopicInfo from(Topic t) {
        return new TopicInfo(t.getName(), TopicSettings.from(t.getConfig()), t.getEffectiveFiltersList(),
                t.getGeneration(), t.getCreatedAtMs(), t.getPartitionsList().stream().map(Partition::from).toList());
    }
}
