package io.ratatoskr.client;

import java.util.List;

/**
 * Counters of a durable topic.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic       the topic
 * @param messages    messages kept, all partitions
 * @param sizeBytes   bytes on disk, all partitions
 * @param partitions  number of partitions
 * @param subscribers live subscriptions matching the topic's name plus members of its consumer groups
 * @param consumerLag messages not yet done by its consumer groups, summed over groups and partitions
 * @param groups      each consumer group's lag
 */
public record TopicStats(String topic, long messages, long sizeBytes, int partitions, int subscribers,
        long consumerLag, List<GroupLag> groups) {

    /** Copies the list. */
    public TopicStats {
        groups = List.copyOf(groups);
    }

    /**
     * One consumer group of the topic.
     *
     * @param group    its name
     * @param lag      messages not yet done
     * @param members  members connected
     * @param inFlight deliveries awaiting an answer
     */
    public record GroupLag(String group, long lag, int members, int inFlight) {
    }

    static TopicStats from(io.ratatoskr.api.v1.TopicStats s) {
        return new TopicStats(s.getTopic(), s.getMessages(), s.getSizeBytes(), s.getPartitions(), s.getSubscribers(),
                s.getConsumerLag(), s.getGroupsList().stream()
                        .map(g -> new GroupLag(g.getGroup(), g.getLag(), g.getMembers(), g.getInFlight())).toList());
    }
}
