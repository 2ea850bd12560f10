package io.ratatoskr.mqtt.spec.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.spec.RawClients;
import io.ratatoskr.mqtt.spec.v5.PahoClient;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * A member draining a backlog larger than one read of the log, with messages of mixed sizes: every message
 * arrives once, in offset order per partition, with its own position in the group properties (they are
 * partly shared between deliveries, and reads are sized from the records read before).
 */
class QueueDrainTest extends QueueSpecTest {

    @Test
    void aPahoV5MemberDrainingABacklogOfMixedSizesGetsEachMessageOnceWithItsOwnPosition() throws Exception {
        broker.createTopic("backlog", 4);
        SplittableRandom random = Seeds.random("QueueDrainTest", 0xD2A1_4L);
        int total = 800;
        RawMqttClient publisher = raw("publisher");
        int next = 0;
        while (next < total) {
            // Bursts of 200 in one write each (under the Receive Maximum), with every PUBACK awaited.
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            int from = next;
            for (; next < Math.min(total, from + 200); next++) {
                // Mostly small records, then a stretch of large ones: a read sized from the last one is
                // too small or too large for the next.
                int size = next >= 500 && next < 600 ? 8_000 + random.nextInt(8_000) : 1 + random.nextInt(1_500);
                byte[] payload = ("m" + next + ":" + "x".repeat(size)).getBytes(StandardCharsets.UTF_8);
                burst.writeBytes(RawClients.encode(new Publish("backlog/" + next, 1, false, false, next % 60_000 + 1,
                        payload, MqttProperties.EMPTY), MqttVersion.V5));
            }
            publisher.sendRaw(burst.toByteArray());
            for (int i = from; i < next; i++) {
                assertThat(RawClients.expect(publisher, PubAck.class).packetId()).isEqualTo(i % 60_000 + 1);
            }
        }

        MqttClient client = new MqttClient(broker.uri(), "drainer", new MemoryPersistence());
        client.setTimeToWait(TIMEOUT.toMillis());
        PahoClient member = closeAfterTest(new PahoClient(client));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options);
        client.subscribe("$queue/drainers/backlog", 1);

        Set<Integer> seen = new HashSet<>();
        Set<String> ids = new HashSet<>();
        Map<Integer, TreeMap<Long, Integer>> byPartition = new HashMap<>();
        for (int i = 0; i < total; i++) {
            PahoClient.Received r = member.next();
            String payload = r.payload();
            int index = Integer.parseInt(payload.substring(1, payload.indexOf(':')));
            assertThat(seen.add(index)).as("message %d delivered once", index).isTrue();
            assertThat(r.topic()).isEqualTo("backlog/" + index);
            assertThat(r.userProperty("durable-topic")).isEqualTo("backlog");
            assertThat(r.userProperty("attempt")).isEqualTo("1");
            assertThat(ids.add(r.userProperty("message-id"))).as("message ids are unique").isTrue();
            int partition = Integer.parseInt(r.userProperty("partition"));
            long offset = Long.parseLong(r.userProperty("offset"));
            assertThat(partition).isBetween(0, 3);
            Integer before = byPartition.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, index);
            assertThat(before).as("one message at %d@%d", partition, offset).isNull();
        }
        assertThat(seen).hasSize(total);
        for (TreeMap<Long, Integer> offsets : byPartition.values()) {
            assertThat(offsets.firstKey()).isZero();
            assertThat(offsets.lastKey()).as("no gaps").isEqualTo(offsets.size() - 1L);
            // One publisher: within a partition the offsets follow the order of publishing.
            assertThat(List.copyOf(offsets.values())).isSorted();
        }
        await().atMost(TIMEOUT).until(() -> broker.describe("backlog", "drainers").lag() == 0);
    }
}
