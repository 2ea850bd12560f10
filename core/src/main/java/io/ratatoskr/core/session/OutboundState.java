package io.ratatoskr.core.session;

/**
 * Where an outbound message of a session stands (MQTT 5.0 §4.3): waiting in the queue, or in flight
 * with a packet identifier awaiting the client's PUBACK, PUBREC or PUBCOMP.
 */
public enum OutboundState {
    QUEUED, AWAIT_PUBACK, AWAIT_PUBREC, AWAIT_PUBCOMP
}
