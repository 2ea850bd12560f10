package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** The broker's {@code $SYS/broker/...} statistics, and that clients cannot publish there (§4.7.2). */
class SysTopicsTest {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    @Test
    void brokerPublishesItsStatisticsUnderSys() throws Exception {
        net.start(b -> b.withSysIntervalSeconds(1), m -> m);
        PahoV3Client watcher = net.paho("watcher");
        watcher.subscribe("$SYS/#", 0);
        Set<String> expected = Set.of("$SYS/broker/version", "$SYS/broker/uptime", "$SYS/broker/clients/connected",
                "$SYS/broker/clients/total", "$SYS/broker/messages/received", "$SYS/broker/messages/sent",
                "$SYS/broker/subscriptions/count", "$SYS/broker/bytes/received", "$SYS/broker/bytes/sent");
        Map<String, String> latest = new HashMap<>();

        // The first, retained, snapshot may predate the watcher's connection: read on until it counts it.
        while (!latest.keySet().containsAll(expected) || latest.get("$SYS/broker/clients/connected").equals("0")) {
            Received r = watcher.next();
            latest.put(r.topic(), r.payload());
        }

        assertThat(latest.get("$SYS/broker/version")).isEqualTo("ratatoskr test");
        assertThat(latest.get("$SYS/broker/uptime")).matches("\\d+ seconds");
        assertThat(latest.get("$SYS/broker/clients/connected")).isEqualTo("1");
    }

    @Test
    void connectedClientsCountFollowsConnections() throws Exception {
        net.start(b -> b.withSysIntervalSeconds(1), m -> m);
        PahoV3Client watcher = net.paho("watcher");
        watcher.subscribe("$SYS/broker/clients/connected", 0);
        awaitValue(watcher, "1");

        net.paho("another");

        assertThat(watcher.next()).isEqualTo(new Received("$SYS/broker/clients/connected", "2", 0, false, false));
    }

    /** Reads messages until one carries {@code value}; fails if none does within the client's timeout. */
    private static void awaitValue(PahoV3Client watcher, String value) throws InterruptedException {
        while (!watcher.next().payload().equals(value)) {
            // an older value: read on
        }
    }

    @Test
    void clientPublishToSysIsNeitherDeliveredNorRetained() throws Exception {
        PahoV3Client watcher = net.paho("watcher");
        watcher.subscribe("$SYS/broker/clients/connected", 1);
        PahoV3Client impostor = net.paho("impostor");

        // 3.1.1 has no way to refuse a PUBLISH: it is acknowledged, then dropped (§4.7.2).
        impostor.publish("$SYS/broker/clients/connected", "9000", 1, true);

        watcher.assertNothingBefore(impostor);
        assertThat(net.broker().broker().retained().size()).isZero();
        assertThat(net.counter("ratatoskr.messages.refused", "reason", "sys_topic")).isEqualTo(1);
    }

    @Test
    void willOnASysTopicIsRefusedWithNotAuthorized() throws Exception {
        RawMqttClient raw = net.raw(MqttVersion.V3_1_1);
        Will will = new Will("$SYS/broker/down", "yes".getBytes(StandardCharsets.UTF_8), 0, false,
                MqttProperties.EMPTY);

        raw.send(connectPacket(MqttVersion.V3_1_1, "impostor", true, 60, will));

        assertThat(expect(raw, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        assertThat(raw.awaitClosed(TIMEOUT)).isTrue();
        assertThat(net.counter("ratatoskr.mqtt.connections.refused", "reason", "will_topic_not_authorized"))
                .isEqualTo(1);
    }
}
