package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Header;
import java.util.List;

/**
 * Told how a {@link Delivery} ended, for deliveries whose sender needs the client's answer — a
 * consumer group waiting for its member's ack or nack. The session treats such deliveries apart:
 * no overflow policy applies to them (their sender bounds them), and they are never kept for an
 * absent client — when the connection goes or the session ends they are handed back.
 *
 * <p>Exactly one method is called, once, on the session's loop; implementations must not block.
 */
public interface DeliveryAck {

    /**
     * The client answered: the PUBACK's reason code, reason string (or null) and user properties
     * (MQTT 5; 0x00 and none for 3.1.1), or the PUBREC/PUBCOMP ending a QoS 2 flow. A QoS 0 delivery
     * is acknowledged (0x00) as soon as it is written.
     */
    void acknowledged(int reasonCode, String reasonString, List<Header> userProperties);

    /**
     * The session gave the delivery back unanswered: the connection closed, the session was taken
     * over or ended, or the message expired while queued.
     *
     * @param sent whether the PUBLISH had been written to the connection (the client may have seen it)
     */
    void released(boolean sent);

    /** The session cannot deliver it to this client: it exceeds the client's Maximum Packet Size. */
    void undeliverable(String reason);

    /**
     * Whether the delivery should still go out when the session takes it from its mailbox. False
     * once its receiver is gone — a group member whose connection closed while the delivery was on
     * its way — so that it is handed back ({@link #released}) rather than sent to whichever
     * connection holds the session by then.
     */
    default boolean isWanted() {
        return true;
    }
}
