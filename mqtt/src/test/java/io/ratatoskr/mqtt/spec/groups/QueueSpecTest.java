package io.ratatoskr.mqtt.spec.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.codec.UserProperty;
import io.ratatoskr.mqtt.testing.QueueBroker;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the consumer-group MQTT tests share: a broker with durable topics and consumer groups on a
 * temporary directory (topic {@code orders}, one partition, created), clients closed after each
 * test, and raw-client helpers that send exact SUBSCRIBE and PUBACK packets.
 */
abstract class QueueSpecTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    QueueBroker broker;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    @BeforeEach
    void startBroker() {
        broker = QueueBroker.start(dir);
        broker.createTopic("orders", 1);
    }

    @AfterEach
    void closeEverything() throws Exception {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // a client already gone
            }
        }
        broker.close();
    }

    <T extends AutoCloseable> T closeAfterTest(T resource) {
        resources.push(resource);
        return resource;
    }

    /** A raw client connected with Clean Start (or not) and {@code properties}. */
    RawMqttClient raw(MqttVersion version, String clientId, boolean cleanStart, MqttProperties properties)
            throws IOException {
        RawMqttClient c = closeAfterTest(RawMqttClient.connect("127.0.0.1", broker.port(), version));
        c.send(new Connect(version, clientId, cleanStart, 60, null, null, null, properties));
        ConnAck ack = expect(c, ConnAck.class);
        assertThat(ack.reasonCode()).as("CONNACK").isZero();
        return c;
    }

    RawMqttClient raw(String clientId) throws IOException {
        return raw(MqttVersion.V5, clientId, true, MqttProperties.EMPTY);
    }

    static <T extends MqttPacket> T expect(RawMqttClient c, Class<T> type) throws IOException {
        MqttPacket p = c.receive(TIMEOUT);
        assertThat(p).as("next packet from the broker").isInstanceOf(type);
        return type.cast(p);
    }

    /** SUBSCRIBE to one filter with user properties (name, value, name, value...); the SUBACK. */
    static SubAck subscribe(RawMqttClient c, String filter, int qos, String... userProperties) throws IOException {
        MqttProperties.Builder b = MqttProperties.builder();
        for (int i = 0; i < userProperties.length; i += 2) {
            b.addUserProperty(userProperties[i], userProperties[i + 1]);
        }
        c.send(new Subscribe(7, List.of(new Subscription(filter, qos)), b.build()));
        return expect(c, SubAck.class);
    }

    /** Answers a delivery with a PUBACK carrying {@code reasonCode}, a reason string and user properties. */
    static void puback(RawMqttClient c, Publish p, int reasonCode, String reason, String... userProperties)
            throws IOException {
        MqttProperties.Builder b = MqttProperties.builder();
        if (reason != null) {
            b.reasonString(reason);
        }
        for (int i = 0; i < userProperties.length; i += 2) {
            b.addUserProperty(userProperties[i], userProperties[i + 1]);
        }
        c.send(new PubAck(p.packetId(), reasonCode, b.build()));
    }

    static void ack(RawMqttClient c, Publish p) throws IOException {
        puback(c, p, ReasonCode.SUCCESS, null);
    }

    static String text(Publish p) {
        return new String(p.payload(), StandardCharsets.UTF_8);
    }

    static Map<String, String> userProperties(Publish p) {
        return p.properties().userProperties().stream()
                .collect(Collectors.toMap(UserProperty::name, UserProperty::value, (a, b) -> b));
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
