package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.GroupConfig;
import java.util.List;

/**
 * A consumer group's state at one moment, for describe, the admin API and the dashboard.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic               the durable topic
 * @param group               the group's name
 * @param config              its delivery policy
 * @param started             whether a member ever joined (before that no offsets are committed)
 * @param members             the members now joined
 * @param partitions          per partition: committed offset, end, lag
 * @param lag                 messages not yet done: sum over partitions of end offset minus committed
 * @param inFlight            deliveries awaiting an answer
 * @param waitingRetry        messages waiting for their retry time (nacked with a delay or backoff)
 * @param deadLetteredSinceStart messages this group moved to its dead-letter topic since the broker started
 * @param deadLetterDepth     messages kept in the dead-letter topic (all groups that use it), 0 if it
 *                            does not exist yet
 */
public record GroupInfo(String topic, String group, GroupConfig config, boolean started, List<MemberInfo> members,
                        List<PartitionInfo> partitions, long lag, int inFlight, int waitingRetry,
                        long deadLetteredSinceStart, long deadLetterDepth) {

    public GroupInfo {
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
    }

    /**
     * One member.
     *
     * @param name      the name it joined with
     * @param prefetch  its max unacknowledged deliveries
     * @param inFlight  its unacknowledged deliveries
     */
    public record MemberInfo(String name, int prefetch, int inFlight) {
    }

    /**
     * One partition as the group sees it.
     *
     * @param partition        the partition number
     * @param committedOffset  every message below it is done (acknowledged, dead-lettered or expired)
     * @param endOffset        the partition's durable end
     * @param lag              {@code endOffset - committedOffset}
     * @param pending          messages above the committed offset held by the group (in flight,
     *                         waiting for a retry, or read and ready)
     */
    public record PartitionInfo(int partition, long committedOffset, long endOffset, long lag, int pending) {
    }
}
