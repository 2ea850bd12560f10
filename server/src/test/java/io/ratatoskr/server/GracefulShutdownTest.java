package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real broker process ({@code ratatoskr server} in a child JVM): its MQTT 5 clients are
 * told "Server shutting down" (DISCONNECT 0x8B, MQTT 5.0 §3.14.2.1), the process exits 0, the
 * partition log writes its clean-shutdown marker, and a QoS 1 message acknowledged before the signal
 * is there after a restart.
 */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    @Test
    void sigtermTellsMqtt5ClientsClosesTheLogsCleanlyAndExitsZero() throws Exception {
        try (DurableTopics topics = DurableTopics.open(dir.resolve("data/topics"), DurableTopicsConfig.DEFAULTS,
                LogEnvironment.system(), new SimpleMeterRegistry())) {
            topics.create("orders", TopicConfig.DEFAULTS);
        }
        CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();
        int exitCode;
        long stopNanos;
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), dir.resolve("stderr.txt"))) {
            MqttAsyncClient client = new MqttAsyncClient(broker.uri(), "shutdown-publisher", new MemoryPersistence());
            client.setCallback(new DisconnectListener(disconnected));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setAutomaticReconnect(false);
            client.connect(options).waitForCompletion(10_000);
            IMqttToken puback = client.publish("orders/eu",
                    new MqttMessage("before-sigterm".getBytes(StandardCharsets.UTF_8), 1, false, null));
            puback.waitForCompletion(10_000);
            assertThat(puback.getReasonCodes()).containsExactly(0);

            long start = System.nanoTime();
            exitCode = broker.stop(Duration.ofSeconds(20));
            stopNanos = System.nanoTime() - start;
            assertThat(exitCode).as("exit code; output:\n" + broker.output()).isZero();
            client.close(true);
        }
        assertThat(Duration.ofNanos(stopNanos)).as("stopped within the shutdown bound")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(disconnected).succeedsWithin(Duration.ofSeconds(5))
                .satisfies(d -> assertThat(d.getReturnCode()).as("DISCONNECT reason code").isEqualTo(0x8B));
        // No recovery scan at the next start: the log says where it ended.
        assertThat(dir.resolve("data/topics/orders/0").resolve(SegmentFiles.CLEAN_SHUTDOWN)).exists();

        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null);
        try (RatatoskrServer restarted = RatatoskrServer.start(config)) {
            List<DurableMessage> stored = restarted.durableTopics().read("orders", 0, 0, 10, 1 << 20).messages();
            assertThat(stored).extracting(m -> new String(m.message().payload(), StandardCharsets.UTF_8))
                    .containsExactly("before-sigterm");
        }
    }
}
