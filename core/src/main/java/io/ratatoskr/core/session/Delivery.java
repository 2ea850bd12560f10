package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.topic.SharedGroup;

/**
 * One message on its way to one session: the QoS it is delivered at (the minimum of the
 * publisher's and the subscription's [MQTT-3.8.4-8]), the retain flag to send, the matching
 * subscriptions' identifiers, the shared group it was routed through (null if none), which
 * lets a departing member hand it to another member, and the session's hold on the message in the
 * session journal (null unless the session is persistent and the QoS is 1 or 2). Immutable, but for
 * the journal entry's release flag, which the session owns.
 */
public record Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup<Session> group,
                       JournalEntry journal) {
    static final int[] NO_IDS = new int[0];

    public Delivery {
        if (subscriptionIds == null) {
            subscriptionIds = NO_IDS;
        }
    }

    /** A delivery that is not journaled. */
    public Delivery(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup<Session> group) {
        this(message, qos, retain, subscriptionIds, group, null);
    }
}
