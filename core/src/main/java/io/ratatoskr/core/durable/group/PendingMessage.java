package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.DurableMessage;
import java.util.Comparator;

/**
 * A message a consumer group has read and not yet finished with, and where it stands: ready for
 * delivery, in flight with a member, waiting for its retry time, or being appended to the
 * dead-letter topic.
 *
 * <p>Thread-safety: confined to its group's thread.
 */
final class PendingMessage {
    /** Redeliveries go out oldest first: by offset, then partition. */
    static final Comparator<PendingMessage> ORDER =
            Comparator.<PendingMessage>comparingLong(m -> m.offset).thenComparingInt(m -> m.partition);

    enum State { READY, IN_FLIGHT, WAITING, DEAD_LETTERING, DONE }

    /** Why a delivery ended without an acknowledgement; the code is stored in the message record. */
    enum Failure {
        NONE(0, "none"), NACK(1, "nack"), TIMEOUT(2, "ack timeout"), MEMBER_LEFT(3, "member left"),
        RESTART(4, "broker restart");

        final int code;
        final String text;

        Failure(int code, String text) {
            this.code = code;
            this.text = text;
        }

        static Failure of(int code) {
            for (Failure f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            return NONE;
        }
    }

    final int partition;
    final long offset;
    final DurableMessage message;
    final int bytes;

    State state = State.READY;
    /** Deliveries started (the one in flight included). */
    int attempts;
    long firstFailureMs = -1;
    long retryAtMs = -1;
    Failure lastFailure = Failure.NONE;
    /** Bumped on every state change: timers and completions carrying an older value are stale. */
    int generation;

    GroupMember owner;
    GroupMember lastOwner;
    long deliveryId;
    long deadlineMs;

    /** When the state log began holding back the record of this first delivery; -1: not held. */
    long heldAtMs = -1;
    /** The delivery id it is held under. */
    long heldKey;
    /** Whether a record for this message was handed to the state log (so forgetting it needs a tombstone). */
    boolean persisted;
    int deadLetterFailures;
    String deadLetterReason;
    /** Whether it was never delivered yet (fresh from the log, dispatched in offset order). */
    boolean fresh = true;

    PendingMessage(int partition, long offset, DurableMessage message) {
        this.partition = partition;
        this.offset = offset;
        this.message = message;
        this.bytes = message.message().payload().length + 128;
    }

    @Override
    public String toString() {
        return "PendingMessage[" + partition + "@" + offset + " " + state + " attempts=" + attempts + "]";
    }
}
