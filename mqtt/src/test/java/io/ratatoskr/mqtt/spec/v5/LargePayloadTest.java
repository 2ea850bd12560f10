package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketWriter;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large payloads — 4 KiB to a packet of exactly the broker's maximum size — reach subscribers of every kind
 * byte-exact: the broker reads them from the socket as they arrive, in pieces, and writes one copy per
 * subscriber with that subscriber's own header (version, QoS, packet identifier, topic alias, subscription
 * identifier). A retained one reaches a later subscriber the same.
 */
class LargePayloadTest extends V5SpecTest {
    private static final int MAX_PACKET = 300_000;
    private static final String TOPIC = "large/payload";

    /** Printable bytes (Paho 3.1.1 hands payloads over as text), numbered in the first two. */
    private static byte[] payload(SplittableRandom random, int size, int n) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) random.nextInt('!', '~' + 1);
        }
        b[0] = (byte) ('A' + n / 26);
        b[1] = (byte) ('A' + n % 26);
        return b;
    }

    @Test
    void largePayloadsArriveByteExactAtSubscribersOfEveryVersion() throws Exception {
        restartBroker(b -> b, limits(MAX_PACKET, -1, -1, -1));
        SplittableRandom random = Seeds.random("LargePayloadTest", 0x1A86_E000L);
        MqttProperties publishProps = MqttProperties.builder().contentType("application/x-test")
                .addUserProperty("kind", "large").build();
        // The last one makes a PUBLISH of exactly the maximum packet size (the publisher sends no properties).
        int[] sizes = {65_536, 4_096, 16_384, 150_000, 0};
        Publish probe = new Publish(TOPIC, 1, true, false, 5, new byte[MAX_PACKET - 100], MqttProperties.EMPTY);
        sizes[4] = MAX_PACKET - (PacketWriter.encodedSize(probe, MqttVersion.V5) - probe.payload().length);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            payloads.add(payload(random, sizes[i], i));
        }

        RawMqttClient aliased = raw("aliased", MqttProperties.builder().topicAliasMaximum(2).build());
        rawSubscribe(aliased, 1, MqttProperties.builder().addSubscriptionIdentifier(4).build(),
                new Subscription("large/#", 1, false, false, 0));
        RawMqttClient v3 = rawV3Subscribed("raw-v3", TOPIC, 1);
        PahoClient pahoV5 = paho("paho-v5");
        pahoV5.client.subscribe(TOPIC, 1);
        PahoV3Client pahoV3 = closeAfterTest(PahoV3Client.connect(broker, "paho-v3"));
        pahoV3.subscribe(TOPIC, 0);
        HiveMqClient hive = hivemqConnected("hive");
        hive.client().subscribeWith().topicFilter(TOPIC).qos(MqttQos.AT_LEAST_ONCE).send();

        // A burst without waiting for PUBACKs, so that the packets reach the broker back to back; the last retained.
        RawMqttClient publisher = raw("publisher");
        for (int i = 0; i < sizes.length; i++) {
            boolean last = i == sizes.length - 1;
            Publish p = new Publish(TOPIC, 1, last, false, i + 1, payloads.get(i),
                    last ? MqttProperties.EMPTY : publishProps);
            if (last) {
                assertThat(PacketWriter.encodedSize(p, MqttVersion.V5)).isEqualTo(MAX_PACKET);
            }
            publisher.send(p);
        }
        for (int i = 0; i < sizes.length; i++) {
            assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(i + 1);
        }

        for (RawMqttClient c : List.of(aliased, v3)) {
            for (int i = 0; i < sizes.length; i++) {
                Publish p = expect(c, Publish.class);
                assertThat(p.payload()).as("%s, message %d", c.version(), i).isEqualTo(payloads.get(i));
                assertThat(p.qos()).isEqualTo(1);
                if (c.version().isV5()) {
                    assertThat(p.topic().isEmpty() || p.topic().equals(TOPIC)).as("topic or alias").isTrue();
                    assertThat(p.topic().isEmpty()).as("alias alone after the first").isEqualTo(i > 0);
                    assertThat(p.properties().topicAlias()).isPositive();
                    assertThat(p.properties().subscriptionIdentifiers()).containsExactly(4);
                    assertThat(p.properties().contentType()).isEqualTo(i < sizes.length - 1 ? "application/x-test"
                            : null);
                } else {
                    assertThat(p.topic()).isEqualTo(TOPIC);
                }
                c.send(new PubAck(p.packetId(), 0, MqttProperties.EMPTY));
            }
        }
        for (int i = 0; i < sizes.length; i++) {
            PahoClient.Received r = pahoV5.next();
            assertThat(r.topic()).isEqualTo(TOPIC);
            assertThat(r.message().getPayload()).as("Paho v5, message %d", i).isEqualTo(payloads.get(i));
            assertThat(r.message().getQos()).isEqualTo(1);
            assertThat(r.userProperty("kind")).isEqualTo(i < sizes.length - 1 ? "large" : null);
        }
        for (int i = 0; i < sizes.length; i++) {
            PahoV3Client.Received r = pahoV3.next();
            assertThat(r.payload()).as("Paho 3.1.1, message %d", i)
                    .isEqualTo(new String(payloads.get(i), StandardCharsets.US_ASCII));
            assertThat(r.qos()).isZero();
        }
        for (int i = 0; i < sizes.length; i++) {
            Mqtt5Publish p = hive.next();
            assertThat(p.getPayloadAsBytes()).as("HiveMQ, message %d", i).isEqualTo(payloads.get(i));
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        }

        // The retained one, as large as a packet may be, to a subscriber that comes later.
        HiveMqClient late = hivemqConnected("late");
        late.client().subscribeWith().topicFilter(TOPIC).qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5Publish retained = late.next();
        assertThat(retained.isRetain()).isTrue();
        assertThat(retained.getPayloadAsBytes()).isEqualTo(payloads.get(sizes.length - 1));
    }

    @Test
    void largePayloadFromPahoV3ArrivesByteExactAtPahoV5() throws Exception {
        SplittableRandom random = Seeds.random("LargePayloadTest.paho", 0x1A86_E001L);
        PahoClient subscriber = paho("paho-v5-sub");
        subscriber.client.subscribe(TOPIC, 1);
        PahoV3Client publisher = closeAfterTest(PahoV3Client.connect(broker, "paho-v3-pub"));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String payload = new String(payload(random, 64 * 1024 + i * 1000, i), StandardCharsets.US_ASCII);
            sent.add(payload);
            publisher.publish(TOPIC, payload, 1);
        }
        for (String payload : sent) {
            assertThat(subscriber.next().payload()).isEqualTo(payload);
        }
    }
}
