package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.ratatoskr.mqtt.codec.PropertyId;

import java.nio.charset.StandardCharsets;

/**
 * Reads, in place, the {@code attempt} user property that Ratatoskr adds to consumer-group deliveries (1 for
 * the first delivery, more for a redelivery; docs/mqtt.md, "Consumer groups over MQTT") from the properties
 * of an MQTT 5 PUBLISH, without decoding the packet.
 *
 * <p>Stateless and thread-safe.
 */
final class DeliveryAttempt {
    private static final byte[] NAME = "attempt".getBytes(StandardCharsets.UTF_8);

    private DeliveryAttempt() {
    }

    /**
     * The attempt number in the {@code length} bytes of properties at {@code index}, 0 when there is none or
     * the properties cannot be read.
     */
    static int of(ByteBuf in, int index, int length) {
        int end = index + length;
        int i = index;
        while (i < end) {
            PropertyId id = PropertyId.of(in.getUnsignedByte(i++));
            if (id == null) {
                return 0;
            }
            switch (id.type()) {
                case BYTE -> i += 1;
                case TWO_BYTE_INTEGER -> i += 2;
                case FOUR_BYTE_INTEGER -> i += 4;
                case VARIABLE_BYTE_INTEGER -> i += ClientConnection.variableByteIntegerBytes(
                        ClientConnection.variableByteInteger(in, i));
                case UTF8_STRING, BINARY_DATA -> i += 2 + in.getUnsignedShort(i);
                case UTF8_STRING_PAIR -> {
                    int nameLength = in.getUnsignedShort(i);
                    int nameAt = i + 2;
                    int valueAt = nameAt + nameLength + 2;
                    int valueLength = in.getUnsignedShort(nameAt + nameLength);
                    if (nameLength == NAME.length && matches(in, nameAt)) {
                        return parse(in, valueAt, valueLength);
                    }
                    i = valueAt + valueLength;
                }
            }
        }
        return 0;
    }

    private static boolean matches(ByteBuf in, int at) {
        for (int k = 0; k < NAME.length; k++) {
            if (in.getByte(at + k) != NAME[k]) {
                return false;
            }
        }
        return true;
    }

    private static int parse(ByteBuf in, int at, int length) {
        int value = 0;
        for (int k = 0; k < length; k++) {
            int digit = in.getByte(at + k) - '0';
            if (digit < 0 || digit > 9 || value > 100_000_000) {
                return 0;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
