package io.ratatoskr.client;

import io.ratatoskr.api.v1.GroupConfig;
import java.time.Duration;

/**
 * A consumer group's delivery policy. For {@link GroupAdmin#configure} a null field keeps its current
 * value (the broker's default for a new group); in a {@link GroupInfo} every field is set. Start from
 * {@link #UNCHANGED} and set fields with the {@code with...} methods.
 *
 * <p>Thread-safety: immutable.
 *
 * @param ackTimeout        a delivery not answered within this goes to another member, at least 100 ms
 * @param maxAttempts       deliveries before a message is dead-lettered, 1..1000
 * @param backoffInitial    delay before the first redelivery after a nack without a delay
 * @param backoffMultiplier each further redelivery waits this many times longer, 1..100
 * @param backoffMax        the longest redelivery delay
 * @param deadLetterTopic   the dead-letter topic (default {@code <topic>.dlq})
 * @param prefetch          default most unanswered deliveries per member, 1..65535
 */
public record GroupSettings(Duration ackTimeout, Integer maxAttempts, Duration backoffInitial,
        Double backoffMultiplier, Duration backoffMax, String deadLetterTopic, Integer prefetch) {

    /** Every field left as it is. */
    public static final GroupSettings UNCHANGED = new GroupSettings(null, null, null, null, null, null, null);

    /** With ack timeout {@code t}. */
    public GroupSettings withAckTimeout(Duration t) {
        return new GroupSettings(t, maxAttempts, backoffInitial, backoffMultiplier, backoffMax, deadLetterTopic,
                prefetch);
    }

    /** With {@code n} attempts before dead-lettering. */
    public GroupSettings withMaxAttempts(int n) {
        return new GroupSettings(ackTimeout, n, backoffInitial, backoffMultiplier, backoffMax, deadLetterTopic,
                prefetch);
    }

    /** With redelivery backoff from {@code initial}, times {@code multiplier} each time, up to {@code max}. */
    public GroupSettings withBackoff(Duration initial, double multiplier, Duration max) {
        return new GroupSettings(ackTimeout, maxAttempts, initial, multiplier, max, deadLetterTopic, prefetch);
    }

    /** With dead-letter topic {@code t}. */
    public GroupSettings withDeadLetterTopic(String t) {
        return new GroupSettings(ackTimeout, maxAttempts, backoffInitial, backoffMultiplier, backoffMax, t, prefetch);
    }

    /** With default prefetch {@code p}. */
    public GroupSettings withPrefetch(int p) {
        return new GroupSettings(ackTimeout, maxAttempts, backoffInitial, backoffMultiplier, backoffMax,
                deadLetterTopic, p);
    }

    GroupConfig toProto() {
        GroupConfig.Builder b = GroupConfig.newBuilder();
        if (ackTimeout != null) {
            b.setAckTimeoutMs(ackTimeout.toMillis());
        }
        if (maxAttempts != null) {
            b.setMaxAttempts(maxAttempts);
        }
        if (backoffInitial != null) {
            b.setBackoffInitialMs(backoffInitial.toMillis());
        }
        if (backoffMultiplier != null) {
            b.setBackoffMultiplier(backoffMultiplier);
        }
        if (backoffMax != null) {
            b.setBackoffMaxMs(backoffMax.toMillis());
        }
        if (deadLetterTopic != null) {
            b.setDeadLetterTopic(deadLetterTopic);
        }
        if (prefetch != null) {
            b.setPrefetch(prefetch);
        }
        return b.build();
    }

    static GroupSettings from(GroupConfig c) {
        return new GroupSettings(Duration.ofMillis(c.getAckTimeoutMs()), c.getMaxAttempts(),
                Duration.ofMillis(c.getBackoffInitialMs()), c.getBackoffMultiplier(),
                Duration.ofMillis(c.getBackoffMaxMs()), c.getDeadLetterTopic(), c.getPrefetch());
    }
}
