package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.topic.SharedGroup;

/**
 * One message on its way to one session: the QoS it is delivered at (the minimum of the
 * publisher's and the subscription's [MQTT-3.8.4-8]), the retain flag to send, the matching
 * subscriptions' identifiers, the shared group it was routed through (null if none), which
 * lets a departing member hand it to another member, who wants to hear how it ended (null if
 * nobody: see {@link DeliveryAck}), and the session's hold on the message in the session journal
 * (null unless the session is persistent and the QoS is 1 or 2). A delivery never has both: one
 * with an ack callback belongs to a sender that keeps it (a consumer group) and is never journaled.
 * Immutable, but for the journal entry's release flag, which the session owns.
 */
public record Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup<Session> group,
                       DeliveryAck ack, JournalEntry journal) {
    static final int[] NO_IDS = new int[0];

    public Delivery {
        if (subscriptionIds == null) {
            subscriptionIds = NO_IDS;
        }
        if (ack != null && journal != null) {
            throw new IllegalArgumentException("a delivery with an ack callback is never journaled");
        }
    }

    /** A delivery that is neither journaled nor answered to a sender. */
    public Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup<Session> group) {
        this(message, qos, retain, subscriptionIds, group, null, null);
    }

    /** A delivery whose outcome {@code ack} hears; never journaled. */
    public Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup<Session> group,
                    DeliveryAck ack) {
        this(message, qos, retain, subscriptionIds, group, ack, null);
    }

    /** A delivery held in the session journal by {@code journal}. */
    public static Delivery journaled(Message message, int qos, boolean retain, int[] subscriptionIds,
                                     SharedGroup<Session> group, JournalEntry journal) {
        return new Delivery(message, qos, retain, subscriptionIds, group, null, journal);
    }
}
