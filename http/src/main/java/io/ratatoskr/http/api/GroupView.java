package io.ratatoskr.http.api;

import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.group.GroupInfo;
import java.util.List;

/**
 * A consumer group as the admin API shows it: its delivery policy, its members, and per partition
 * how far it got (committed offset, end, lag), with what it holds in flight and its dead-letter
 * topic's depth.
 *
 * <p>Thread-safety: immutable.
 */
public record GroupView(String topic, String group, Config config, boolean started, List<Member> members,
                        List<PartitionView> partitions, long lag, int inFlight, int waitingRetry,
                        long deadLetteredSinceStart, String deadLetterTopic, long deadLetterDepth) {

    /** The delivery policy; {@code deadLetterTopic} is null when it is the default {@code <topic>.dlq}. */
    public record Config(long ackTimeoutMs, int maxAttempts, long backoffInitialMs, double backoffMultiplier,
                         long backoffMaxMs, String deadLetterTopic, int prefetch) {
        static Config of(GroupConfig c) {
            return new Config(c.ackTimeoutMs(), c.maxAttempts(), c.backoffInitialMs(), c.backoffMultiplier(),
                    c.backoffMaxMs(), c.deadLetterTopic(), c.prefetch());
        }
    }

    /** One joined member. */
    public record Member(String name, int prefetch, int inFlight) {}

    /** One partition as the group sees it. */
    public record PartitionView(int partition, long committedOffset, long endOffset, long lag, int pending) {}

    public static GroupView of(GroupInfo g) {
        return new GroupView(g.topic(), g.group(), Config.of(g.config()), g.started(),
                g.members().stream().map(m -> new Member(m.name(), m.prefetch(), m.inFlight())).toList(),
                g.partitions().stream().map(p -> new PartitionView(p.partition(), p.committedOffset(), p.endOffset(),
                        p.lag(), p.pending())).toList(),
                g.lag(), g.inFlight(), g.waitingRetry(), g.deadLetteredSinceStart(),
                g.config().deadLetterTopicFor(g.topic()), g.deadLetterDepth());
    }
}
