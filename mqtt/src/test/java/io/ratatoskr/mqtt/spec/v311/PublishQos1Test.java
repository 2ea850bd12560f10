package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ratatoskr.mqtt.spec.RawClients.assertNothingPending;
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

    @Test
    void unacknowledgedMessagesToOneClientAreBoundedByMaxInflight() throws Exception {
        net.start(b -> b.withSession(new SessionConfig(1000, OverflowPolicy.DROP_OLDEST, 2, 3600, false)), m -> m);
        RawMqttClient subscriber = net.raw(MqttVersion.V3_1_1, "subscriber", true);
        subscribe(subscriber, 1, "window", 1);
        PahoV3Client publisher = net.paho("publisher");
        for (int i = 0; i < 4; i++) {
            publisher.publish("window", "m" + i, 1);
        }

        Publish m0 = expect(subscriber, Publish.class);
        Publish m1 = expect(subscriber, Publish.class);
        assertNothingPending(subscriber); // two in flight, two waiting
        subscriber.send(new PubAck(m0.packetId()));
        Publish m2 = expect(subscriber, Publish.class);
        subscriber.send(new PubAck(m1.packetId()));
        subscriber.send(new PubAck(m2.packetId()));
        Publish m3 = expect(subscriber, Publish.class);

        assertThat(List.of(m0, m1, m2, m3)).extracting(p -> new String(p.payload(), StandardCharsets.UTF_8))
                .containsExactly("m0", "m1", "m2", "m3");
    }

    @Test
    void largeMessagePassesIntact() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("large", 1);
        String payload = "0123456789abcdef".repeat(60 * 1024); // 960 KiB, under the 1 MiB packet limit

        publisher.publish("large", payload, 1);

        assertThat(subscriber.next().payload()).isEqualTo(payload);
    }
}
