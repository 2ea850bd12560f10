package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.spec.BrokerFixture;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.spec.PahoV3Client.Received;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §3.1.2.5-3.1.2.7: the will message. */
class WillTest {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    private PahoV3Client watcher() throws Exception {
        PahoV3Client watcher = net.paho("watcher");
        watcher.subscribe("status/#", 2);
        return watcher;
    }

    private PahoV3Client deviceWithWill(String clientId, int qos, boolean retain) throws Exception {
        PahoV3Client device = net.pahoUnconnected(clientId);
        device.connect(o -> o.setWill("status/" + clientId, "offline".getBytes(StandardCharsets.UTF_8), qos, retain));
        return device;
    }

    @Test
    void willIsPublishedWhenTheConnectionEndsWithoutDisconnect() throws Exception {
        PahoV3Client watcher = watcher();
        PahoV3Client device = deviceWithWill("device", 1, false);

        device.drop();

        assertThat(watcher.next()).isEqualTo(new Received("status/device", "offline", 1, false, false));
    }

    @Test
    void willIsDiscardedWhenTheClientDisconnects() throws Exception {
        PahoV3Client watcher = watcher();
        PahoV3Client device = deviceWithWill("device", 1, false);

        device.disconnect();

        // [MQTT-3.1.2-10] (3.1.1): DISCONNECT removes the will. Once the session is gone its fate
        // is decided, so a marker published now would come after it.
        net.awaitSessionEnded("device");
        watcher.assertNothingMore();
    }

    @Test
    void willIsDiscardedWhenTheClientDisconnectsAndReconnectsAtOnce() throws Exception {
        PahoV3Client watcher = watcher();
        Will will = new Will("status/quick", "offline".getBytes(StandardCharsets.UTF_8), 0, false,
                MqttProperties.EMPTY);

        // The broker has closed the first connection when the second CONNECT comes, but may not have
        // finished with it. Repeated, as that race is not always lost.
        for (int i = 0; i < 100; i++) {
            RawMqttClient first = net.raw(connectPacket(MqttVersion.V3_1_1, "quick", false, 60, will));
            RawMqttClient second = net.raw(MqttVersion.V3_1_1);
            first.send(Disconnect.NORMAL);
            assertThat(first.awaitClosed(TIMEOUT)).isTrue();
            second.send(connectPacket(MqttVersion.V3_1_1, "quick", false, 60));
            assertThat(expect(second, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            second.send(Disconnect.NORMAL);
            assertThat(second.awaitClosed(TIMEOUT)).isTrue();
            first.close();
            second.close();
        }

        watcher.assertNothingMore();
    }

    @Test
    void willKeepsItsQosAndRetainFlag() throws Exception {
        PahoV3Client watcher = watcher();
        PahoV3Client device = deviceWithWill("device", 1, true);

        device.drop();

        // Live delivery: QoS 1 (the will's, below the subscription's 2), retain flag clear.
        assertThat(watcher.next()).isEqualTo(new Received("status/device", "offline", 1, false, false));
        // [MQTT-3.1.2-17] (3.1.1): a will with retain 1 is published as a retained message.
        PahoV3Client later = net.paho("later");
        later.subscribe("status/device", 2);
        assertThat(later.next()).isEqualTo(new Received("status/device", "offline", 1, true, false));
    }

    @Test
    void qos0WillIsDeliveredAtQos0() throws Exception {
        PahoV3Client watcher = watcher();
        PahoV3Client device = deviceWithWill("device", 0, false);

        device.drop();

        assertThat(watcher.next()).isEqualTo(new Received("status/device", "offline", 0, false, false));
    }

    @Test
    void willIsPublishedWhenTheBrokerClosesTheConnectionForAProtocolError() throws Exception {
        PahoV3Client watcher = watcher();
        Will will = new Will("status/broken", "offline".getBytes(StandardCharsets.UTF_8), 1, false,
                MqttProperties.EMPTY);
        RawMqttClient broken = net.raw(connectPacket(MqttVersion.V3_1_1, "broken", true, 60, will));

        broken.sendRaw(new byte[] {0x36, 0x00}); // PUBLISH with QoS 3

        assertThat(broken.awaitClosed(TIMEOUT)).isTrue();
        assertThat(watcher.next()).isEqualTo(new Received("status/broken", "offline", 1, false, false));
    }
}
