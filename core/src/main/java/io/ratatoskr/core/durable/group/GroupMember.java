package io.ratatoskr.core.durable.group;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One member of a consumer group, as its protocol adapter holds it: what {@link ConsumerGroups#join}
 * returns. The adapter answers each {@link GroupDelivery} with exactly one of {@link #ack},
 * {@link #nack}, {@link #reject} or {@link #release}, and calls {@link #leave} when the consumer goes.
 *
 * <p>Every method may be called from any thread: it hands the request to the group's thread and
 * returns a future that completes once the group applied it — not once it is durable (an
 * acknowledgement lost in a crash makes the message come again, never go missing). A future fails
 * with {@code DELIVERY_NOT_FOUND} when the delivery is no longer this member's (answered already,
 * timed out and given to another member, or the group was moved by a seek), and with
 * {@code UNAVAILABLE} after the membership ended.
 *
 * <p>Thread-safety: thread-safe. The fields below the public methods belong to the group's thread.
 */
public final class GroupMember {
    private final ConsumerGroup group;
    private final String name;
    final GroupSink sink;
    /** Written once on the group's thread when the member joins (0 until then: the group's default). */
    volatile int effectivePrefetch;

    // Confined to the group's thread.
    final SequenceWindow<PendingMessage> inFlight = new SequenceWindow<>();
    boolean left;
    /** Handed a delivery in the current dispatch pass: its sink hears {@code flush} at the end of the pass. */
    boolean handedOver;

    GroupMember(ConsumerGroup group, String name, int prefetch, GroupSink sink) {
        this.group = group;
        this.name = name;
        this.effectivePrefetch = prefetch;
        this.sink = sink;
    }

    /** The durable topic. */
    public String topic() {
        return group.id().topic();
    }

    /** The consumer group. */
    public String group() {
        return group.id().group();
    }

    /** The name the member joined with. */
    public String name() {
        return name;
    }

    /**
     * The most unacknowledged deliveries the group gives this member: as asked, or once joined the
     * group's configured prefetch if the member asked for 0.
     */
    public int prefetch() {
        return effectivePrefetch;
    }

    /** The message was processed: it is done for the group. */
    public CompletableFuture<Void> ack(long deliveryId) {
        return group.ack(this, deliveryId);
    }

    /**
     * Several messages were processed: as {@link #ack} for each, in one step of the group. Identifiers
     * no longer outstanding (timed out, or not this member's) are skipped.
     *
     * @return how many were acknowledged
     */
    public CompletableFuture<Integer> ackAll(long[] deliveryIds) {
        return group.ackAll(this, deliveryIds.clone());
    }

    /**
     * The message was not processed: deliver it again, after {@code delayMs} (capped by
     * {@link GroupsConfig#maxNackDelayMs()}), or after the group's exponential backoff when
     * {@code delayMs} is negative. It counts as a failed attempt: after the last one it goes to the
     * dead-letter topic.
     */
    public CompletableFuture<Void> nack(long deliveryId, long delayMs) {
        return group.nack(this, deliveryId, delayMs);
    }

    /** The message can never be processed: move it to the dead-letter topic now, saying {@code reason}. */
    public CompletableFuture<Void> reject(long deliveryId, String reason) {
        return group.reject(this, deliveryId, reason);
    }

    /**
     * The delivery never reached the consumer (the adapter dropped it before sending): the group
     * takes it back at once and does not count the attempt.
     */
    public CompletableFuture<Void> release(long deliveryId) {
        return group.release(this, deliveryId);
    }

    /**
     * Leaves the group: every unacknowledged delivery goes to another member at once and counts as
     * a failed attempt (a consumer that crashes on a message must not get it forever).
     */
    public CompletableFuture<Void> leave() {
        return group.leave(this, null);
    }

    /**
     * Leaves the group as {@link #leave()}, counting a failed attempt only for the deliveries in
     * {@code attempted} (those the consumer may have seen); the others are returned as by
     * {@link #release}.
     */
    public CompletableFuture<Void> leave(Collection<Long> attempted) {
        return group.leave(this, List.copyOf(attempted));
    }

    @Override
    public String toString() {
        return "GroupMember[" + group.id() + " " + name + "]";
    }
}
