package io.ratatoskr.server;

import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real broker process with a 64 MiB heap (and so 64 MiB of direct memory) attacked with packets
 * that claim far more memory than the process has: it must neither reserve what they claim nor stop
 * serving a well-behaved client.
 */
class SmallHeapHostileInputTest {
    @TempDir
    Path dir;

    @Test
    void claimsOfHugePacketsCostOnlyTheBytesSentOnASixtyFourMegabyteHeap() throws Exception {
        // 200 sockets of one address stay in CONNECT on purpose: above the default cap of such sockets.
        try (ChildServer server = ChildServer.start(dir, List.of("-Xmx64m"),
                List.of("--set", "mqtt.connect-timeout=60s", "--set", "mqtt.max-pending-connections-per-address=1000"))) {
            List<RawMqttClient> attackers = new ArrayList<>();
            try {
                // 256 MiB claimed in the first bytes: refused at once, nothing reserved.
                RawMqttClient huge = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5);
                attackers.add(huge);
                huge.sendRaw(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
                assertThat(huge.awaitClosed(Duration.ofSeconds(5))).isTrue();

                // 200 CONNECTs claiming 1 MiB each (allowed by the maximum packet size), 17 KiB sent in
                // two chunks (more than one read buffer, so the decoder's buffer must grow): 200 MiB if
                // the claim were reserved, about 7 MiB as it is.
                byte[] claim = new byte[4 + 1024];
                claim[0] = 0x10;
                claim[1] = (byte) 0xF0;
                claim[2] = (byte) 0xFF;
                claim[3] = 0x3F;
                for (int i = 0; i < 200; i++) {
                    RawMqttClient c = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5);
                    attackers.add(c);
                    c.sendRaw(claim);
                    c.sendRaw(new byte[16 * 1024]);
                }

                assertWellBehavedClientIsServed(server.mqttPort());
                for (RawMqttClient c : attackers.subList(1, attackers.size())) {
                    assertThat(c.awaitClosed(Duration.ofMillis(1))).as("still waiting for its CONNECT").isFalse();
                }
                assertThat(server.isAlive()).isTrue();
            } finally {
                for (RawMqttClient c : attackers) {
                    c.close();
                }
            }
        }
    }

    private static void assertWellBehavedClientIsServed(int port) throws Exception {
        MqttAsyncClient client = ChildServer.connect(port, "well-behaved");
        try {
            CompletableFuture<String> received = new CompletableFuture<>();
            client.setCallback(new MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse response) {
                    received.completeExceptionally(new AssertionError("disconnected: " + response));
                }

                @Override
                public void mqttErrorOccurred(MqttException exception) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.complete(new String(message.getPayload()));
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
            });
            client.subscribe("echo", 1).waitForCompletion(5_000);
            client.publish("echo", "hello".getBytes(), 1, false).waitForCompletion(5_000);
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        } finally {
            client.disconnect().waitForCompletion(5_000);
            client.close();
        }
    }
}
