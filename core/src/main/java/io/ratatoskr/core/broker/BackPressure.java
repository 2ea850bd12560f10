package io.ratatoskr.core.broker;

import io.ratatoskr.core.session.Session;

/**
 * The publisher side of flow control: {@link Broker#publish(io.ratatoskr.core.message.Message, BackPressure)}
 * calls it for each congested session a message went to. The publisher should stop taking new messages
 * (an MQTT connection stops reading its socket) and resume when {@link Session#whenDecongested} calls
 * back, or after a bounded pause. Called on the publisher's thread.
 */
@FunctionalInterface
public interface BackPressure {
    void congested(Session session);
}
