package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §4.3.3: QoS 2, exactly once. */
class PublishQos2Test extends PublishContract {
    @Override
    int qos() {
        return 2;
    }

    @Test
    void publishResentWithDupBeforePubrelIsDeliveredOnce() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        subscriber.subscribe("once", 2);
        RawMqttClient publisher = net.raw(MqttVersion.V3_1_1, "publisher", true);
        byte[] payload = "exactly once".getBytes(StandardCharsets.UTF_8);

        publisher.send(new Publish("once", 2, false, false, 7, payload, MqttProperties.EMPTY));
        assertThat(expect(publisher, PubRec.class).packetId()).isEqualTo(7);
        // The publisher missed the PUBREC, say, and sends the PUBLISH again [MQTT-4.3.3-1].
        publisher.send(new Publish("once", 2, false, true, 7, payload, MqttProperties.EMPTY));
        assertThat(expect(publisher, PubRec.class).packetId()).isEqualTo(7);
        publisher.send(new PubRel(7));
        assertThat(expect(publisher, PubComp.class).packetId()).isEqualTo(7);

        assertThat(subscriber.next().payload()).isEqualTo("exactly once");
        // [MQTT-4.3.3-2] (3.1.1): after PUBREL the identifier is free, and a new PUBLISH with it is a new message.
        publisher.send(new Publish("once", 0, false, false, 0, "marker".getBytes(StandardCharsets.UTF_8),
                MqttProperties.EMPTY));
        assertThat(subscriber.next().payload()).as("no second copy before the marker").isEqualTo("marker");
    }

    @Test
    void packetIdentifierReusedAfterPubcompCarriesANewMessage() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        subscriber.subscribe("reuse", 2);
        RawMqttClient publisher = net.raw(MqttVersion.V3_1_1, "publisher", true);

        for (String text : List.of("first", "second")) {
            publisher.send(new Publish("reuse", 2, false, false, 9, text.getBytes(StandardCharsets.UTF_8),
                    MqttProperties.EMPTY));
            expect(publisher, PubRec.class);
            publisher.send(new PubRel(9));
            expect(publisher, PubComp.class);
        }

        assertThat(subscriber.nextPayloads(2)).containsExactly("first", "second");
    }

    @Test
    void resentPublishIsAcknowledgedEvenWhenTheUnreleasedLimitIsReached() throws Exception {
        net.start(b -> b, m -> m.withReceiveMaximum(1));
        PahoV3Client subscriber = net.paho("subscriber");
        subscriber.subscribe("limit", 2);
        RawMqttClient publisher = net.raw(MqttVersion.V3_1_1, "publisher", true);
        byte[] payload = "at the limit".getBytes(StandardCharsets.UTF_8);

        publisher.send(new Publish("limit", 2, false, false, 3, payload, MqttProperties.EMPTY));
        expect(publisher, PubRec.class);
        // A re-send adds no unreleased message: it must be acknowledged again, not refused.
        publisher.send(new Publish("limit", 2, false, true, 3, payload, MqttProperties.EMPTY));

        assertThat(expect(publisher, PubRec.class).packetId()).isEqualTo(3);
        publisher.send(new PubRel(3));
        expect(publisher, PubComp.class);
        assertThat(subscriber.next().payload()).isEqualTo("at the limit");
    }
}
