package io.ratatoskr.client;

import io.ratatoskr.api.v1.GroupDescription;
import java.util.List;

/**
 * A consumer group as {@link GroupAdmin#describe} reports it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic                  the durable topic
 * @param group                  the group
 * @param settings               its delivery policy, every field set
 * @param started                whether a member ever joined (before that no offsets are committed)
 * @param members                the members connected now
 * @param partitions             per-partition offsets and lag
 * @param lag                    messages not yet done, all partitions
 * @param inFlight               deliveries awaiting an answer
 * @param waitingRetry           messages waiting for their retry time
 * @param deadLetteredSinceStart messages it moved to its dead-letter topic since the broker started
 * @param deadLetterDepth        messages in its dead-letter topic not yet replayed (all groups using it)
 */
public record GroupInfo(String topic, String group, GroupSettings settings, boolean started, List<Member> members,
        List<Partition> partitions, long lag, int inFlight, int waitingRetry, long deadLetteredSinceStart,
        long deadLetterDepth) {

    /** Copies the lists. */
    public GroupInfo {
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
    }

    /**
     * A connected member.
     *
     * @param name     its name
     * @param prefetch the most unanswered deliveries it holds
     * @param inFlight deliveries it has not answered
     */
    public record Member(String name, int prefetch, int inFlight) {
    }

    /**
     * One partition of the group.
     *
     * @param partition       the partition
     * @param committedOffset every message below it is done (acked, dead-lettered or expired)
     * @param endOffset       the offset the partition's next message will get
     * @param lag             messages not yet done
     * @param pending         messages above the committed offset the group holds (in flight, retrying, ready)
     */
    public record Partition(int partition, long committedOffset, long endOffset, long lag, int pending) {
    }

    static GroupInfo from(GroupDescription d) {
        return new GroupInfo(d.getTopic(), d.getGroup(), GroupSettings.from(d.getConfig()), d.getStarted(),
                d.getMembersList().stream().map(m -> new Member(m.getName(), m.getPrefetch(), m.getInFlight()))
                        .toList(),
                d.getPartitionsList().stream().map(p -> new Partition(p.getPartition(), p.getCommittedOffset(),
                        p.getEndOffset(), p.getLag(), p.getPending())).toList(),
                d.getLag(), d.getInFlight(), d.getWaitingRetry(), d.getDeadLetteredSinceStart(),
                d.getDeadLetterDepth());
    }
}
