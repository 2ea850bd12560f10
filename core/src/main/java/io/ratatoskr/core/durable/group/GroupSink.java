package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.error.ErrorCode;

/**
 * Where a consumer group hands a member's messages: implemented by the protocol adapter (an MQTT
 * {@code $queue} subscription, a gRPC Consume stream).
 *
 * <p>The methods are called on the group's thread and must not block: hand the delivery to the
 * adapter's own thread (a session mailbox, a stream's executor) and return. The group never has more
 * than the member's prefetch unacknowledged with one member.
 */
public interface GroupSink {

    /** A message for the member; answer with ack, nack, reject or release on its {@link GroupMember}. */
    void deliver(GroupDelivery delivery);

    /**
     * The group is done handing over deliveries for now: it calls this once after each run of
     * {@link #deliver} calls to this member (one dispatch pass, e.g. the refill after an ack). An
     * adapter that gathers deliveries into batches sends what it gathered here. Same thread and rules
     * as {@link #deliver}.
     */
    default void flush() {
    }

    /**
     * The membership ended without the member leaving: the group was deleted, its durable topic was
     * deleted, its state could not be loaded, or the broker is shutting down. Unacknowledged
     * deliveries are void; acknowledging them fails.
     *
     * @param code   why, from the catalogue: {@code GROUP_NOT_FOUND} (the group was deleted),
     *               {@code TOPIC_NOT_FOUND} (its topic was deleted or is missing), {@code UNAVAILABLE}
     *               (shutdown), {@code STATE_STORE_FAILED} (its state could not be loaded)
     * @param reason a sentence for logs and clients
     */
    void ended(ErrorCode code, String reason);
}
