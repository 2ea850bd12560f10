package io.ratatoskr.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.ReadBatch;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.testkit.Seeds;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real broker process (the {@code ratatoskr server} command in a child JVM) takes QoS 1 messages
 * for a durable topic from Paho, and is killed with SIGKILL while publishes are still in flight. After
 * a restart on the same data directory every PUBACKed message is in the topic, once, in order.
 */
class DurableKillNineTest {
    private static final int MESSAGES = 3_000;
    private static final int IN_FLIGHT = 64;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesKillNineOnceAndInOrder() throws Exception {
        SplittableRandom random = Seeds.random("DurableKillNineTest", 20261124L);
        int killAfterAcks = 300 + random.nextInt(1_500);
        try (DurableTopics topics = DurableTopics.open(dir.resolve("topics"), DurableTopicsConfig.DEFAULTS,
                LogEnvironment.system(), new SimpleMeterRegistry())) {
            topics.create("orders", TopicConfig.DEFAULTS);
        }

        ChildServer.Acked acked;
        try (ChildServer child = ChildServer.start(dir)) {
            MqttAsyncClient client = ChildServer.connect(child.mqttPort(), "kill9-publisher");
            acked = ChildServer.publishUntilAcked(client, "orders/eu", MESSAGES, IN_FLIGHT, killAfterAcks);
            // SIGKILL with up to IN_FLIGHT publishes unacknowledged.
            child.kill();
            ChildServer.closeAfterCrash(client);
        }
        assertThat(acked.numbers()).hasSizeGreaterThanOrEqualTo(killAfterAcks);
        AtomicInteger maxAcked = acked.max();

        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir).withMqtt(MqttConfig.DEFAULTS.withAddress(
                "127.0.0.1", 0)).withGrpc(null).withHttp(null);
        try (RatatoskrServer restarted = RatatoskrServer.start(config)) {
            List<String> stored = readAll(restarted.durableTopics());
            System.out.println("[kill9] " + acked.numbers().size() + " acknowledged (last m" + maxAcked.get() + "), "
                    + stored.size() + " stored");
            // One connection, so its messages are stored in the order sent; a crash can only cut the
            // unacknowledged tail: m0, m1, ... without a gap or a repeat, past the last acknowledged.
            assertThat(stored.size()).as("every acknowledged message is there").isGreaterThan(maxAcked.get());
            for (int i = 0; i < stored.size(); i++) {
                assertThat(stored.get(i)).as("message at offset %d", i).isEqualTo("m" + i);
            }
            for (int n : acked.numbers()) {
                assertThat(n).isLessThan(stored.size());
            }
        }
    }

    private static List<String> readAll(DurableTopics topics) {
        List<String> out = new ArrayList<>();
        long next = 0;
        while (true) {
            ReadBatch b = topics.read("orders", 0, next, 1_000, 1 << 20);
            for (DurableMessage m : b.messages()) {
                out.add(new String(m.message().payload(), StandardCharsets.UTF_8));
            }
            if (b.nextOffset() >= b.endOffset()) {
                return out;
            }
            next = b.nextOffset();
        }
    }
}
