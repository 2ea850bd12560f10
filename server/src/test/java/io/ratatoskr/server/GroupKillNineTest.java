package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker process takes QoS 1 messages for a durable topic while a consumer-group member
 * takes and acknowledges them, and is killed with SIGKILL mid-stream. After a restart on the same
 * data directory, every message the broker PUBACKed reaches the group: before the kill, or after.
 */
class GroupKillNineTest {
    private static final int MESSAGES = 3_000;
    private static final int IN_FLIGHT = 64;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedPublishReachesTheConsumerGroupAcrossKillNine() throws Exception {
        SplittableRandom random = Seeds.random("GroupKillNineTest", 20261125L);
        int killAfterAcks = 300 + random.nextInt(1_200);
        try (DurableTopics topics = DurableTopics.open(dir.resolve("topics"), DurableTopicsConfig.DEFAULTS,
                LogEnvironment.system(), new SimpleMeterRegistry())) {
            topics.create("orders", TopicConfig.builder().partitions(2).build());
        }

        Set<String> consumed = ConcurrentHashMap.newKeySet();
        ChildServer.Acked acked;
        try (ChildServer child = ChildServer.start(dir)) {
            MqttAsyncClient worker = ChildServer.connect(child.mqttPort(), "worker-before");
            worker.setCallback(new Collecting(consumed));
            worker.subscribe("$queue/workers/orders", 1).waitForCompletion(10_000);
            MqttAsyncClient publisher = ChildServer.connect(child.mqttPort(), "publisher");
            acked = ChildServer.publishUntilAcked(publisher, "orders/eu", MESSAGES, IN_FLIGHT, killAfterAcks);
            // SIGKILL with publishes and deliveries in flight, acknowledgements from the worker too.
            child.kill();
            ChildServer.closeAfterCrash(publisher);
            ChildServer.closeAfterCrash(worker);
        }
        int before = consumed.size();

        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null);
        try (RatatoskrServer restarted = RatatoskrServer.start(config)) {
            MqttAsyncClient worker = ChildServer.connect(restarted.mqttPort(), "worker-after");
            worker.setCallback(new Collecting(consumed));
            worker.subscribe("$queue/workers/orders", 1).waitForCompletion(10_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                GroupInfo info = restarted.consumerGroups().describe("orders", "workers").join();
                return info.lag() == 0 && info.inFlight() == 0;
            });
            worker.disconnect().waitForCompletion(10_000);
            worker.close();
        }

        Set<String> missing = new HashSet<>();
        for (int n : acked.numbers()) {
            if (!consumed.contains("m" + n)) {
                missing.add("m" + n);
            }
        }
        System.out.println("[kill9-group] " + acked.numbers().size() + " acknowledged, " + before
                + " consumed before the kill, " + consumed.size() + " in all");
        assertThat(before).as("the group was consuming when the broker died").isPositive();
        assertThat(missing).as("acknowledged publishes the group never got").isEmpty();
    }

    /** Keeps every payload; Paho acknowledges each when this returns. */
    private record Collecting(Set<String> payloads) implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            payloads.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
