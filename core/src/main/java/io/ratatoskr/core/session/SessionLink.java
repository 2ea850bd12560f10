package io.ratatoskr.core.session;

/**
 * The network connection a session is attached to, as the session sees it. Implemented by the
 * protocol front end (the MQTT connection). All methods are called on the session's loop, which is
 * the connection's own event loop while it is attached.
 */
public interface SessionLink {

    /**
     * Writes a PUBLISH (not flushed).
     *
     * @param packetId       0 for QoS 0
     * @param dup            whether this is a re-send [MQTT-3.3.1-1]
     * @param expirySeconds  the remaining message expiry interval to send, or -1 for none
     * @return false if the packet exceeds the client's Maximum Packet Size and was discarded
     *         instead [MQTT-3.1.2-25]; the session then treats the message as delivered
     */
    boolean sendPublish(Delivery delivery, int packetId, boolean dup, long expirySeconds);

    /** Writes a PUBREL for an outbound QoS 2 message (not flushed). */
    void sendPubRel(int packetId);

    /** Flushes what was written. */
    void flush();

    /** Whether the connection can take more writes without exceeding its buffer bound. */
    boolean isWritable();

    /**
     * Another connection took this session over: tell the client (MQTT 5: DISCONNECT 0x8E Session
     * taken over) and close. The session has already detached this link.
     */
    void takenOver();

    /** A short description for logs, e.g. the remote address. */
    String describe();
}
