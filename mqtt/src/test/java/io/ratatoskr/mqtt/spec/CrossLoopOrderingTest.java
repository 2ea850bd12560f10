package io.ratatoskr.mqtt.spec;

import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.ratatoskr.mqtt.spec.RawClients.connected;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deliveries to a session on another event loop are handed over once per read burst of the publisher's
 * loop, together with that burst's other hand-offs to the same loop, while deliveries to a session on the
 * publisher's own loop go through its mailbox there. Either way a subscriber sees each publisher's
 * messages on a topic in the order they were published, each exactly once at QoS 1 [MQTT-4.6.0-6].
 */
class CrossLoopOrderingTest {
    private static final int PUBLISHERS = 5;
    private static final int SUBSCRIBERS = 4;
    private static final int MESSAGES_PER_PUBLISHER = 300;

    @Test
    void everySubscriberGetsEachPublishersBurstsInOrderAcrossEventLoops() throws Exception {
        SplittableRandom random = Seeds.random("CrossLoopOrderingTest", 8_2026_1124L);
        // Three loops: with nine connections assigned round-robin, every subscriber has publishers both on
        // its own loop and on the others.
        try (TestBroker broker = TestBroker.start(b -> b, m -> m.toBuilder().ioThreads(3).build())) {
            List<PahoV3Client> subscribers = new ArrayList<>();
            List<RawMqttClient> publishers = new ArrayList<>();
            try {
                for (int s = 0; s < SUBSCRIBERS; s++) {
                    PahoV3Client sub = PahoV3Client.connect(broker, "sub-" + s);
                    sub.subscribe("order/#", 1);
                    subscribers.add(sub);
                }
                for (int p = 0; p < PUBLISHERS; p++) {
                    publishers.add(connected(broker, MqttVersion.V3_1_1, "pub-" + p, true));
                }

                // Bursts of 1-40 QoS 1 PUBLISHes from publishers picked at random, each burst written
                // without waiting for its PUBACKs, so that reads on the broker's loops hold several
                // messages for sessions on other loops at once.
                int[] sent = new int[PUBLISHERS];
                int[] nextPacketId = new int[PUBLISHERS];
                int total = PUBLISHERS * MESSAGES_PER_PUBLISHER;
                int done = 0;
                while (done < total) {
                    int p = random.nextInt(PUBLISHERS);
                    int burst = Math.min(1 + random.nextInt(40), MESSAGES_PER_PUBLISHER - sent[p]);
                    RawMqttClient pub = publishers.get(p);
                    for (int i = 0; i < burst; i++) {
                        int packetId = ++nextPacketId[p];
                        String topic = "order/p" + p + (sent[p] % 2 == 0 ? "" : "/odd");
                        pub.send(new Publish(topic, 1, false, false, packetId,
                                payload(p, sent[p]++), MqttProperties.EMPTY));
                    }
                    for (int i = 0; i < burst; i++) {
                        expect(pub, PubAck.class);
                    }
                    done += burst;
                }

                for (PahoV3Client sub : subscribers) {
                    Map<String, List<Integer>> byTopic = new HashMap<>();
                    for (int i = 0; i < total; i++) {
                        PahoV3Client.Received r = sub.next();
                        assertThat(r.qos()).isEqualTo(1);
                        String[] parts = r.payload().split(" ");
                        assertThat(r.topic()).startsWith("order/" + parts[0]);
                        byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
                    }
                    for (int p = 0; p < PUBLISHERS; p++) {
                        assertThat(byTopic.get("order/p" + p)).as("even messages of p%d, in order", p)
                                .containsExactlyElementsOf(sequence(0, MESSAGES_PER_PUBLISHER));
                        assertThat(byTopic.get("order/p" + p + "/odd")).as("odd messages of p%d, in order", p)
                                .containsExactlyElementsOf(sequence(1, MESSAGES_PER_PUBLISHER));
                    }
                    sub.assertNothingMore();
                }
            } finally {
                for (RawMqttClient c : publishers) {
                    c.close();
                }
                for (PahoV3Client c : subscribers) {
                    c.close();
                }
            }
        }
    }

    private static byte[] payload(int publisher, int sequence) {
        return ("p" + publisher + " " + sequence).getBytes(StandardCharsets.UTF_8);
    }

    /** first, first + 2, ... below {@code end}. */
    private static List<Integer> sequence(int first, int end) {
        List<Integer> out = new ArrayList<>();
        for (int i = first; i < end; i += 2) {
            out.add(i);
        }
        return out;
    }
}
