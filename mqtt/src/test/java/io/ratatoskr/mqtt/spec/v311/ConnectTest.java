package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.PingResp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.spec.BrokerFixture;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.spec.PahoV3Client.Received;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.encode;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §3.1-3.2: CONNECT and CONNACK, client identifiers, session present, takeover, keep-alive. */
class ConnectTest {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    @Test
    void acceptsAClientWithSessionPresentZeroForANewSession() throws Exception {
        PahoV3Client client = net.pahoUnconnected("fresh");

        boolean sessionPresent = client.connect(o -> o.setCleanSession(false));

        assertThat(sessionPresent).isFalse();
        client.assertNothingMore();
        assertThat(net.counter("ratatoskr.mqtt.connections.accepted")).isEqualTo(1);
    }

    @Test
    void assignsDistinctIdentifiersToClientsThatSendAnEmptyOneWithCleanSession() throws Exception {
        PahoV3Client first = net.paho("");
        PahoV3Client second = net.paho("");

        // Had both been given the same identifier, the second would have taken over the first.
        assertThat(net.broker().broker().sessionCount()).isEqualTo(2);
        first.assertNothingMore();
        second.assertNothingMore();
        assertThat(first.isConnected()).isTrue();
    }

    @Test
    void refusesAnEmptyClientIdentifierWithoutCleanSessionWithIdentifierRejected() throws Exception {
        RawMqttClient raw = net.raw(MqttVersion.V3_1_1);

        raw.send(connectPacket(MqttVersion.V3_1_1, "", false, 60));

        // [MQTT-3.1.3-8]: CONNACK 0x02, then close.
        ConnAck ack = expect(raw, ConnAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(raw.awaitClosed(TIMEOUT)).isTrue();
        assertThat(net.counter("ratatoskr.mqtt.connections.refused", "reason", "client_id_rejected")).isEqualTo(1);
    }

    @Test
    void sessionPresentIsOneWhenAPersistentSessionIsResumed() throws Exception {
        PahoV3Client client = net.pahoUnconnected("resumer");
        assertThat(client.connect(o -> o.setCleanSession(false))).isFalse();
        client.disconnect();

        assertThat(client.connect(o -> o.setCleanSession(false))).as("resumed").isTrue();
        client.disconnect();

        // [MQTT-3.2.2-1]: clean session 1 always answers session present 0.
        assertThat(client.connect(o -> o.setCleanSession(true))).as("cleaned").isFalse();
    }

    @Test
    void secondConnectionWithTheSameClientIdentifierClosesTheFirst() throws Exception {
        PahoV3Client first = net.paho("twin");
        PahoV3Client second = net.paho("twin");

        // [MQTT-3.1.4-2]
        assertThat(first.awaitConnectionLost()).as("first connection closed").isTrue();
        second.assertNothingMore();
        assertThat(second.isConnected()).isTrue();
    }

    @Test
    void silentClientIsDisconnectedAfterOneAndAHalfKeepAlivesAndItsWillIsPublished() throws Exception {
        PahoV3Client watcher = net.paho("watcher");
        watcher.subscribe("will/#", 1);
        Will will = new Will("will/silent", "gone".getBytes(StandardCharsets.UTF_8), 1, false, MqttProperties.EMPTY);
        RawMqttClient silent = net.raw(connectPacket(MqttVersion.V3_1_1, "silent", true, 1, will));
        long start = System.nanoTime();

        // [MQTT-3.1.2-24]: nothing from the client for 1.5 x 1 s.
        assertThat(silent.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(4000));
        Received r = watcher.next();
        assertThat(r.topic()).isEqualTo("will/silent");
        assertThat(r.payload()).isEqualTo("gone");
        assertThat(net.counter("ratatoskr.mqtt.protocol.errors", "reason", "keep_alive_timeout")).isEqualTo(1);
    }

    @Test
    void clientThatSendsPingreqWithinItsKeepAliveStaysConnected() throws Exception {
        RawMqttClient pinger = net.raw(connectPacket(MqttVersion.V3_1_1, "pinger", true, 2));

        // Four pings a second apart span 4 s, more than the 3 s (1.5 x 2 s) the broker allows a silent
        // client. Each goes at its time from the start, not a second after the previous answer, and each
        // has 2 s to spare: a slow round trip or a stalled test thread on a busy machine must not stretch
        // the silence the broker sees past its limit.
        long start = System.nanoTime();
        for (int i = 1; i <= 4; i++) {
            long waitNanos = start + TimeUnit.SECONDS.toNanos(i) - System.nanoTime();
            if (waitNanos > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(waitNanos)); // the passage of time is what is tested
            }
            pinger.send(PingReq.INSTANCE);
            assertThat(expect(pinger, PingResp.class)).isNotNull();
        }

        assertThat(pinger.awaitClosed(Duration.ofMillis(100))).as("closed").isFalse();
        assertThat(net.counter("ratatoskr.mqtt.protocol.errors", "reason", "keep_alive_timeout")).isZero();
    }

    @Test
    void keepAliveAboveTheConfiguredMaximumIsRefusedWithIdentifierRejected() throws Exception {
        net.start(b -> b, m -> m.withMaxKeepAliveSeconds(60));
        RawMqttClient raw = net.raw(MqttVersion.V3_1_1);

        raw.send(connectPacket(MqttVersion.V3_1_1, "sleepy", true, 61));

        // 3.1.1 cannot tell a client to use a shorter keep-alive; refused as Mosquitto does.
        assertThat(expect(raw, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(raw.awaitClosed(TIMEOUT)).isTrue();
        assertThat(net.counter("ratatoskr.mqtt.connections.refused", "reason", "keep_alive_too_long")).isEqualTo(1);
        PahoV3Client atMaximum = net.pahoUnconnected("at-maximum");
        atMaximum.connect(o -> o.setKeepAliveInterval(60));
        atMaximum.assertNothingMore();
    }

    @Test
    void unsupportedProtocolLevelIsAnsweredWithReturnCodeOneThenClosed() throws Exception {
        RawMqttClient raw = net.raw(MqttVersion.V3_1_1);

        // CONNECT, protocol name "MQTT", level 6, clean session, keep-alive 60, client id "x".
        raw.sendRaw(HexFormat.of().parseHex("100d00044d5154540602003c000178"));

        // [MQTT-3.1.2-2]: CONNACK 0x01 in the 3.1.1 format, then close.
        assertThat(expect(raw, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(raw.awaitClosed(TIMEOUT)).isTrue();
        assertThat(net.counter("ratatoskr.mqtt.protocol.errors", "reason", "unsupported_protocol_version"))
                .isEqualTo(1);
    }

    @Test
    void acceptsMqtt31Clients() throws Exception {
        PahoV3Client legacy = net.pahoUnconnected("legacy");
        legacy.connect(o -> o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1));
        PahoV3Client modern = net.paho("modern");
        legacy.subscribe("from/modern", 1);
        modern.subscribe("from/legacy", 1);

        modern.publish("from/modern", "hi legacy", 1);
        legacy.publish("from/legacy", "hi modern", 1);

        assertThat(legacy.next().payload()).isEqualTo("hi legacy");
        assertThat(modern.next().payload()).isEqualTo("hi modern");
    }

    @Test
    void socketThatNeverSendsConnectIsClosedAfterTheConnectTimeout() throws Exception {
        net.start(b -> b, m -> m.withConnectTimeoutSeconds(1));
        RawMqttClient mute = net.raw(MqttVersion.V3_1_1);
        long start = System.nanoTime();

        assertThat(mute.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(800));
        assertThat(net.counter("ratatoskr.mqtt.protocol.errors", "reason", "connect_timeout")).isEqualTo(1);
    }

    @Test
    void packetsSentRightBehindConnectAreHandledAfterIt() throws Exception {
        RawMqttClient eager = net.raw(MqttVersion.V3_1_1);
        byte[] connect = encode(connectPacket(MqttVersion.V3_1_1, "eager", true, 60), MqttVersion.V3_1_1);
        byte[] subscribe = encode(new Subscribe(1, List.of(new Subscription("echo", 1)), MqttProperties.EMPTY),
                MqttVersion.V3_1_1);
        byte[] publish = encode(new Publish("echo", 1, false, false, 2, "early".getBytes(StandardCharsets.UTF_8),
                MqttProperties.EMPTY), MqttVersion.V3_1_1);

        // Clients need not wait for CONNACK (3.1.1 §3.1.4): all three in one write.
        eager.sendRaw(concat(connect, subscribe, publish));

        assertThat(expect(eager, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(expect(eager, SubAck.class).reasonCodes()).containsExactly(1);
        List<MqttPacket> rest = List.of(eager.receive(TIMEOUT), eager.receive(TIMEOUT));
        assertThat(rest).hasAtLeastOneElementOfType(PubAck.class).hasAtLeastOneElementOfType(Publish.class);
    }

    @Test
    void connectBeyondTheMaximumConnectionsIsRefusedWithServerUnavailable() throws Exception {
        net.start(b -> b, m -> m.withMaxConnections(1));
        PahoV3Client first = net.paho("first");
        RawMqttClient second = net.raw(MqttVersion.V3_1_1);

        second.send(connectPacket(MqttVersion.V3_1_1, "second", true, 60));

        assertThat(expect(second, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(second.awaitClosed(TIMEOUT)).isTrue();
        assertThat(net.counter("ratatoskr.mqtt.connections.refused", "reason", "max_connections")).isEqualTo(1);
        first.assertNothingMore();
    }

    @Test
    void clientIdentifierLongerThanTheMaximumIsRefusedWithIdentifierRejected() throws Exception {
        RawMqttClient raw = net.raw(MqttVersion.V3_1_1);

        raw.send(connectPacket(MqttVersion.V3_1_1, "x".repeat(MqttConfig.DEFAULTS.maxClientIdLength() + 1), true, 60));

        assertThat(expect(raw, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(raw.awaitClosed(TIMEOUT)).isTrue();
        assertThat(net.counter("ratatoskr.mqtt.connections.refused", "reason", "client_id_rejected")).isEqualTo(1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
