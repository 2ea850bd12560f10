package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.DurableMessage;

/**
 * One delivery of a message to one member of a consumer group.
 *
 * <p>Thread-safety: immutable.
 *
 * @param deliveryId  what the member passes to ack, nack, reject or release; unique within the group
 *                    while the broker runs, never reused for another delivery
 * @param group       the consumer group
 * @param message     the message, with its durable topic, partition and offset
 * @param attempt     the delivery attempt, from 1; above 1 the message was delivered before and not
 *                    acknowledged (nacked, timed out, or its member left)
 * @param deadlineMs  when the delivery times out (epoch milliseconds): without an answer by then the
 *                    message goes to another member
 */
public record GroupDelivery(long deliveryId, String group, DurableMessage message, int attempt, long deadlineMs) {
}
