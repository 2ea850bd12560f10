package io.ratatoskr.core.session;

/** Why a message routed to a session was not delivered; each is counted by reason. */
public enum DropReason {
    /** The session queue was full (see {@link OverflowPolicy}). */
    QUEUE_FULL("queue_full"),
    /** The message expiry interval passed before delivery started [MQTT-3.3.2-5]. */
    EXPIRED("expired"),
    /** Larger than the client's Maximum Packet Size [MQTT-3.1.2-25]. */
    TOO_LARGE("too_large"),
    /** A QoS 0 message for a disconnected session, when QoS 0 is not queued. */
    OFFLINE_QOS0("offline_qos0"),
    /** Queued or in flight when the session ended (expired or cleaned). */
    SESSION_ENDED("session_ended"),
    /** Handed to the session faster than its loop could take it in. */
    MAILBOX_FULL("mailbox_full");

    private final String tag;

    DropReason(String tag) {
        this.tag = tag;
    }

    /** The metric tag value. */
    public String tag() {
        return tag;
    }
}
