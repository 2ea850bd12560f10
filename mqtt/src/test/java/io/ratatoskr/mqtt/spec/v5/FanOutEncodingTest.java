package io.ratatoskr.mqtt.spec.v5;

import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.testkit.Seeds;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message is encoded once per event loop and written into shared batch buffers, yet each subscriber
 * must get its own PUBLISH: its QoS and packet identifier, its topic alias, its subscription identifiers
 * (MQTT 5.0 §3.3.4: one copy per session, with the identifiers of every matching subscription). Mixed
 * Paho v5, Paho 3.1.1 and raw clients of both versions take the same burst of messages, small ones and
 * ones larger than a batch buffer, and each checks every byte it got.
 */
class FanOutEncodingTest extends V5SpecTest {
    private static final String TOPIC = "fan/\u00e9t\u00e9/x";
    private static final int MESSAGES = 40;

    /** Printable payloads (Paho 3.1.1 hands them over as text) of sizes from 0 to 3 batch buffers. */
    private static List<byte[]> payloads(SplittableRandom random) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            int size = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(16);
                case 1 -> random.nextInt(100, 2_000);
                case 2 -> random.nextInt(15_000, 17_500);
                default -> random.nextInt(30_000, 50_000);
            };
            byte[] b = new byte[size];
            for (int j = 0; j < size; j++) {
                b[j] = (byte) random.nextInt('!', '~' + 1);
            }
            if (size >= 3) {
                b[0] = (byte) ('A' + i / 26);
                b[1] = (byte) ('A' + i % 26);
            }
            out.add(b);
        }
        return out;
    }

    private static MqttProperties subscriptionId(int id) {
        return MqttProperties.builder().addSubscriptionIdentifier(id).build();
    }

    @Test
    void aBurstFannedOutToMixedClientsArrivesByteCorrectAtEach() throws Exception {
        SplittableRandom random = Seeds.random("FanOutEncodingTest", 0x5EED_F00DL);
        List<byte[]> payloads = payloads(random);

        // Raw v5 with topic aliases: the first PUBLISH carries topic and alias, the rest the alias alone.
        RawMqttClient aliased = raw("aliased", MqttProperties.builder().topicAliasMaximum(3).build());
        rawSubscribe(aliased, 1, subscriptionId(7), new Subscription("fan/#", 1, false, false, 0));
        // Raw v5, two overlapping subscriptions: one copy at the higher QoS with both identifiers.
        RawMqttClient overlapping = raw("overlapping");
        rawSubscribe(overlapping, 1, subscriptionId(9), new Subscription("fan/+/x", 0, false, false, 0));
        rawSubscribe(overlapping, 2, subscriptionId(10), new Subscription("fan/#", 1, false, false, 0));
        // Raw v5 at QoS 0, no identifier.
        RawMqttClient qos0 = raw("qos0");
        rawSubscribe(qos0, TOPIC, 0);
        // Raw 3.1.1.
        RawMqttClient v3 = rawV3Subscribed("raw-v3", TOPIC, 1);
        // Paho v5 with a subscription identifier, and Paho 3.1.1.
        // No topic aliases here: Paho 1.2.5 hands aliased messages to messageArrived with an empty topic
        // (the raw client above checks aliases byte by byte).
        SubscribingClient client = new SubscribingClient(broker.uri(), "paho-v5");
        PahoClient pahoV5 = closeAfterTest(new PahoClient(client));
        client.connect();
        org.eclipse.paho.mqttv5.common.packet.MqttProperties subscribeProps =
                new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        subscribeProps.setSubscriptionIdentifier(3);
        client.async().subscribe(new MqttSubscription[] {new MqttSubscription("fan/#", 1)}, null, null,
                subscribeProps).waitForCompletion(TIMEOUT.toMillis());
        PahoV3Client pahoV3 = closeAfterTest(PahoV3Client.connect(broker, "paho-v3"));
        pahoV3.subscribe(TOPIC, 1);

        // One burst, the publisher not waiting for PUBACKs, so that deliveries share batches.
        RawMqttClient publisher = raw("publisher");
        for (int i = 0; i < MESSAGES; i++) {
            publisher.send(new Publish(TOPIC, 1, false, false, i + 1, payloads.get(i), MqttProperties.EMPTY));
        }
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(i + 1);
        }

        expectRaw(aliased, payloads, 1, new int[] {7}, true);
        expectRaw(overlapping, payloads, 1, new int[] {9, 10}, false);
        expectRaw(qos0, payloads, 0, new int[0], false);
        expectRaw(v3, payloads, 1, new int[0], false);
        for (int i = 0; i < MESSAGES; i++) {
            PahoClient.Received received = pahoV5.next();
            assertThat(received.topic()).as("Paho v5 topic of message %d", i).isEqualTo(TOPIC);
            MqttMessage r = received.message();
            assertThat(r.getPayload()).as("Paho v5, message %d", i).isEqualTo(payloads.get(i));
            assertThat(r.getQos()).isEqualTo(1);
            assertThat(r.getProperties().getSubscriptionIdentifiers()).containsExactly(3);
        }
        for (int i = 0; i < MESSAGES; i++) {
            PahoV3Client.Received r = pahoV3.next();
            assertThat(r.topic()).isEqualTo(TOPIC);
            assertThat(r.payload()).as("Paho 3.1.1, message %d", i).isEqualTo(new String(payloads.get(i),
                    java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(r.qos()).isEqualTo(1);
        }
    }

    /** Paho's blocking client, with the asynchronous one it wraps (which alone subscribes with properties). */
    private static final class SubscribingClient extends MqttClient {
        SubscribingClient(String uri, String clientId) throws MqttException {
            super(uri, clientId, new MemoryPersistence());
            setTimeToWait(TIMEOUT.toMillis());
        }

        MqttAsyncClient async() {
            return aClient;
        }
    }

    /** Reads every message on a raw client, acknowledging QoS 1, and checks each one's bytes. */
    private static void expectRaw(RawMqttClient c, List<byte[]> payloads, int qos, int[] ids, boolean aliases)
            throws Exception {
        Map<Integer, String> aliasTopics = new HashMap<>();
        Set<Integer> packetIds = new HashSet<>();
        for (int i = 0; i < payloads.size(); i++) {
            Publish p = expect(c, Publish.class);
            String topic = p.topic();
            int alias = c.version().isV5() ? p.properties().topicAlias() : 0;
            if (aliases) {
                assertThat(alias).as("alias on message %d", i).isPositive();
                if (topic.isEmpty()) {
                    topic = aliasTopics.get(alias);
                } else {
                    assertThat(i).as("the topic is sent with the alias the first time only").isZero();
                    aliasTopics.put(alias, topic);
                }
            } else {
                assertThat(alias).as("no alias when the client allows none").isLessThanOrEqualTo(0);
            }
            assertThat(topic).isEqualTo(TOPIC);
            assertThat(p.payload()).as("%s, message %d", c.version(), i).isEqualTo(payloads.get(i));
            assertThat(p.qos()).isEqualTo(qos);
            assertThat(p.dup()).isFalse();
            if (c.version().isV5()) {
                assertThat(p.properties().subscriptionIdentifiers()).containsExactlyInAnyOrder(ids);
            }
            if (qos > 0) {
                assertThat(packetIds.add(p.packetId())).as("packet identifier %d in use once", p.packetId()).isTrue();
                c.send(new PubAck(p.packetId(), 0, MqttProperties.EMPTY));
            }
        }
    }
}
