package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static io.ratatoskr.mqtt.spec.RawClients.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §4.3.2: QoS 1, at least once. */
class PublishQos1Test extends PublishContract {
    @Override
    int qos() {
        return 1;
    }

    @Test
    void pubackCarriesThePublishPacketIdentifierAndTheSubscriberGetsItsOwn() throws Exception {
        RawMqttClient subscriber = net.raw(MqttVersion.V3_1_1, "subscriber", true);
        subscribe(subscriber, 1, "raw/t", 1);
        RawMqttClient publisher = net.raw(MqttVersion.V3_1_1, "publisher", true);

        publisher.send(new Publish("raw/t", 1, false, false, 4242, bytes("payload"), MqttProperties.EMPTY));

        // [MQTT-3.4.0-1] ... a PUBACK with the same packet identifier [MQTT-4.3.2-2]
        assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(4242);
        Publish delivered = expect(subscriber, Publish.class);
        assertThat(delivered.qos()).isEqualTo(1);
        assertThat(delivered.dup()).isFalse();
        assertThat(delivered.packetId()).isNotZero();
        assertThat(new String(delivered.payload(), StandardCharsets.UTF_8)).isEqualTo("payload");
        subscriber.send(new PubAck(delivered.packetId()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
