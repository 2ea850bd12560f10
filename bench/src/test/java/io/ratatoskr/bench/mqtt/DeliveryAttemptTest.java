package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketWriter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryAttemptTest {

    /** The attempt read from an encoded MQTT 5 QoS 1 PUBLISH with these properties. */
    private static int attemptOf(MqttProperties properties) {
        Publish publish = new Publish("orders/1", 1, false, false, 7, new byte[16], properties);
        ByteBuf buf = Unpooled.buffer();
        PacketWriter.write(publish, MqttVersion.V5, buf);
        int index = 1;
        while ((buf.getByte(index) & 0x80) != 0) {
            index++;
        }
        index++;                                   // past the fixed header
        index += 2 + buf.getUnsignedShort(index);  // topic
        index += 2;                                // packet identifier
        int length = ClientConnection.variableByteInteger(buf, index);
        index += ClientConnection.variableByteIntegerBytes(length);
        return DeliveryAttempt.of(buf, index, length);
    }

    @Test
    void readsTheAttemptAmongOtherPropertiesOfAGroupDelivery() {
        MqttProperties p = MqttProperties.builder()
                .contentType("application/octet-stream")
                .messageExpiryInterval(60)
                .addSubscriptionIdentifier(300)
                .correlationData(new byte[] {1, 2, 3})
                .addUserProperty("message-id", "0190c1de-0000-7000-8000-000000000000")
                .addUserProperty("partition", "3")
                .addUserProperty("attempt", "12")
                .build();

        assertThat(attemptOf(p)).isEqualTo(12);
    }

    @Test
    void aDeliveryWithoutAnAttemptOrWithAGarbledOneReadsAsZero() {
        assertThat(attemptOf(MqttProperties.EMPTY)).isZero();
        assertThat(attemptOf(MqttProperties.builder().addUserProperty("attempts", "2").build())).isZero();
        assertThat(attemptOf(MqttProperties.builder().addUserProperty("attempt", "two").build())).isZero();
    }
}
