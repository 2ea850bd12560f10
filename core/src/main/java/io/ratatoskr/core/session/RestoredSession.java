package io.ratatoskr.core.session;

import io.ratatoskr.core.topic.SubscriptionOptions;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A persistent session as the journal kept it, to be recreated at start (disconnected) by
 * {@link io.ratatoskr.core.broker.Broker#restore}. Immutable.
 *
 * @param clientId             the client identifier
 * @param expirySeconds        the Session Expiry Interval in force
 * @param disconnectedAtMillis when its connection ended, or -1 if it was connected when the broker
 *                             stopped (it then counts as disconnected, abnormally, at the restart)
 * @param will                 the will still due (the connection's, or one waiting for its delay), or null
 * @param subscriptions        its subscriptions by filter
 * @param inflight             outbound messages with a packet identifier, in the order they were sent
 * @param queued               outbound messages waiting, in order
 * @param inboundQos2          inbound QoS 2 packet identifiers received and not yet released
 * @param owner                who the session belongs to; null when the journal did not record it
 *                             (written by an older version): the next connection adopts it
 */
public record RestoredSession(String clientId, long expirySeconds, long disconnectedAtMillis, Will will,
                              Map<String, SubscriptionOptions> subscriptions, List<Outbound> inflight,
                              List<Delivery> queued, int[] inboundQos2, SessionOwner owner) {
    /** A session without a recorded owner. */
    public RestoredSession(String clientId, long expirySeconds, long disconnectedAtMillis, Will will,
                           Map<String, SubscriptionOptions> subscriptions, List<Outbound> inflight,
                           List<Delivery> queued, int[] inboundQos2) {
        this(clientId, expirySeconds, disconnectedAtMillis, will, subscriptions, inflight, queued, inboundQos2, null);
    }

    public RestoredSession {
        Objects.requireNonNull(clientId, "clientId");
        subscriptions = Map.copyOf(subscriptions);
        inflight = List.copyOf(inflight);
        queued = List.copyOf(queued);
        inboundQos2 = inboundQos2.clone();
    }

    /** An in-flight message: its delivery, packet identifier and state (never {@link OutboundState#QUEUED}). */
    public record Outbound(Delivery delivery, int packetId, OutboundState state) {
        public Outbound {
            Objects.requireNonNull(delivery, "delivery");
            if (packetId < 1 || packetId > 65_535 || state == OutboundState.QUEUED) {
                throw new IllegalArgumentException("in-flight message with packet identifier " + packetId
                        + " and state " + state);
            }
        }
    }
}
