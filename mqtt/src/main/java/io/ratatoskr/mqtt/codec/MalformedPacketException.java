package io.ratatoskr.mqtt.codec;

/**
 * Thrown inside the codec when a frame breaks a rule of the protocol; {@link MqttDecoder} turns it into a
 * {@link DecodeFailure}. It never leaves the decoder. No stack trace is filled in: the message says what
 * was wrong, and a peer that sends garbage on purpose should not make us walk the stack.
 */
final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int reasonCode;

    MalformedPacketException(int reasonCode, String reason) {
        super(reason, null, false, false);
        this.reasonCode = reasonCode;
    }

    static MalformedPacketException malformed(String reason) {
        return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, reason);
    }

    static MalformedPacketException protocolError(String reason) {
        return new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, reason);
    }

    int reasonCode() {
        return reasonCode;
    }
}
