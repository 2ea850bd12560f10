package io.ratatoskr.mqtt.codec;

import java.util.Objects;

/**
 * Why the bytes a peer sent are not an acceptable MQTT packet: the value {@link MqttDecoder} emits down
 * the pipeline in place of a packet. It is the last thing the decoder emits; the connection answers it
 * (a v5 CONNACK or DISCONNECT with {@link #reasonCode()} where the spec allows one, §4.13) and closes.
 *
 * <p>Immutable and thread-safe.
 *
 * @param reasonCode the MQTT 5 reason code that names the failure, whatever the version:
 *     {@link ReasonCode#MALFORMED_PACKET}, {@link ReasonCode#PROTOCOL_ERROR},
 *     {@link ReasonCode#UNSUPPORTED_PROTOCOL_VERSION}, {@link ReasonCode#TOPIC_ALIAS_INVALID} (a Topic Alias
 *     of 0) or {@link ReasonCode#PACKET_TOO_LARGE}
 * @param reason a message for logs and v5 reason strings that names the field and the rule broken,
 *     citing the spec's normative statement (MQTT 5.0 numbering unless the rule is 3.1.1-only)
 * @param packetType the type of the offending packet, or null when its first byte names no type
 * @param version the protocol version of the connection, or null when no CONNECT has set it yet (or the
 *     CONNECT itself names a version Ratatoskr does not speak)
 */
public record DecodeFailure(int reasonCode, String reason, PacketType packetType, MqttVersion version) {
    public DecodeFailure {
        if (reasonCode < 0x80 || reasonCode > 0xFF) {
            throw new IllegalArgumentException("a decode failure needs an error reason code, not " + reasonCode);
        }
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "DecodeFailure[" + ReasonCode.name(reasonCode) + " (0x" + Integer.toHexString(reasonCode)
                + "), packet=" + packetType + ", version=" + version + ": " + reason + "]";
    }
}
